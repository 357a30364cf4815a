#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Reference implementations the tests compare against: glibc and the Swift standard library,
// never the code under test.

/// glibc's `inet_pton` as 16 bytes, IPv4 mapped into `::ffff:0:0/96`; `nil` when refused.
func inetPton(_ text: String) -> [UInt8]? {
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 {
        return withUnsafeBytes(of: &v6) { Array($0) }
    }
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
        return [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + withUnsafeBytes(of: &v4) { Array($0) }
    }
    return nil
}

/// Record text per the standard library: well-formed UTF-8 (`String(validating:)`), no NUL.
func isRecordTextReference(_ bytes: [UInt8]) -> Bool {
    String(validating: bytes, as: UTF8.self) != nil && !bytes.contains(0)
}

/// nginx's `escape=default` (ngx_http_log_escape): `"`, `\`, bytes below 0x20 and from 0x7F
/// up become `\xHH` with uppercase hex.
func nginxEscaped(_ bytes: [UInt8]) -> [UInt8] {
    let hex = Array("0123456789ABCDEF".utf8)
    var output: [UInt8] = []
    for byte in bytes {
        if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x7F {
            output += [0x5C, 0x78, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        } else {
            output.append(byte)
        }
    }
    return output
}

/// What the text rule must store for a value whose original bytes are `original`, logged with
/// `escape=default`: the bytes themselves when they are record text, else nginx's escaped form.
func expectedRecordText(original: [UInt8]) -> [UInt8] {
    isRecordTextReference(original) ? original : nginxEscaped(original)
}
