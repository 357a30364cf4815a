/// PostgreSQL's `COPY ... (FORMAT text)` row encoding, the default format of `COPY FROM STDIN`.
///
/// Layout: one row per line ending in LF (0x0A); fields separated by TAB (0x09); SQL NULL is the
/// two bytes `\N`. Inside a field, backslash and the control bytes BS, TAB, LF, VT, FF, CR are
/// written as `\\`, `\b`, `\t`, `\n`, `\v`, `\f`, `\r`; every other byte (including all
/// non-ASCII UTF-8) is copied unchanged. These are exactly the escapes the server itself writes
/// in `COPY ... TO STDOUT`, so for the same values our bytes equal the server's. Because every
/// backslash in data is doubled, data can never form the `\.` end-of-data marker.
///
/// NUL (0x00) cannot be stored in PostgreSQL text at all, so a field containing it is rejected
/// with `PostgresError.Code.invalidParameter` before anything is appended.
public enum CopyTextFormat {
    /// Appends one row (fields in table column order, `nil` = NULL) and its line end.
    /// On error, `buffer` is left exactly as it was (no partial row).
    public static func appendRow(_ fields: [String?], to buffer: inout [UInt8]) throws {
        let rowStart = buffer.count
        do {
            for (index, field) in fields.enumerated() {
                if index > 0 { buffer.append(tab) }
                try appendField(field?.utf8, to: &buffer)
            }
        } catch {
            buffer.removeSubrange(rowStart...)
            throw error
        }
        buffer.append(lineFeed)
    }

    /// Appends one field's escaped bytes (`nil` = NULL) without a separator or line end.
    /// On error, `buffer` may hold part of the field; `appendRow` rolls back the whole row.
    /// `@inlinable` so it is specialized for the caller's sequence: as a plain generic, every
    /// byte of a `String.UTF8View` went through protocol witnesses.
    @inlinable
    public static func appendField<Bytes: Sequence<UInt8>>(_ bytes: Bytes?, to buffer: inout [UInt8]) throws {
        guard let bytes else {
            buffer.append(backslash)
            buffer.append(UInt8(ascii: "N"))
            return
        }
        for byte in bytes {
            switch byte {
            case 0:
                throw PostgresError(code: .invalidParameter, message: "COPY field contains a NUL byte")
            case backslash:
                buffer.append(backslash)
                buffer.append(backslash)
            case 0x08:
                buffer.append(backslash)
                buffer.append(UInt8(ascii: "b"))
            case tab:
                buffer.append(backslash)
                buffer.append(UInt8(ascii: "t"))
            case lineFeed:
                buffer.append(backslash)
                buffer.append(UInt8(ascii: "n"))
            case 0x0B:
                buffer.append(backslash)
                buffer.append(UInt8(ascii: "v"))
            case 0x0C:
                buffer.append(backslash)
                buffer.append(UInt8(ascii: "f"))
            case 0x0D:
                buffer.append(backslash)
                buffer.append(UInt8(ascii: "r"))
            default:
                buffer.append(byte)
            }
        }
    }

    /// The encoding of `rows`, one line each.
    public static func encode(rows: some Sequence<[String?]>) throws -> [UInt8] {
        var buffer: [UInt8] = []
        for row in rows { try appendRow(row, to: &buffer) }
        return buffer
    }

    @usableFromInline static let backslash = UInt8(ascii: "\\")
    @usableFromInline static let tab: UInt8 = 0x09
    @usableFromInline static let lineFeed: UInt8 = 0x0A
}
