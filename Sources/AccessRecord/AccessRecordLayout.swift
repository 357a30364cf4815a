/// Where each field of `schemas/access_record.capnp` lives on the wire.
///
/// Every number below is copied from the output of
///
///     capnp compile -ocapnp schemas/access_record.capnp      (Cap'n Proto 0.9.2)
///
/// (`# bits[a, b)` = data-section bit range, `# ptr[n]` = pointer-section index), never computed
/// by hand. `AccessRecordLayoutTests` re-runs that command and compares it with `fields`, so a
/// schema change that moves anything fails the build's tests. All defaults are zero, so no
/// value is XORed.
enum AccessRecordLayout {
    /// A data-section field: bits `[bitOffset, bitOffset + bitWidth)`.
    struct DataSlot: Equatable {
        let bitOffset: Int
        let bitWidth: Int
        var byteOffset: Int { bitOffset >> 3 }
    }

    /// A field's slot, as the compiler prints it.
    enum Slot: Equatable {
        case bits(Int, Int)
        case pointer(Int)
    }

    // struct AccessRecord @0xe0015b88df3dfcf9 {  # 120 bytes, 13 ptrs
    static let dataWords = 15
    static let pointerWords = 13
    /// Data words of a request record: words 9-14 hold only the control fields (`kind =
    /// fileStats`: shippedLines, lostLines, lostBytes, endOffset, lostBytesReplaced,
    /// lostBytesUnfinished), always 0 in a request, so request records end their data section
    /// before them — 48 bytes less per record in every batch the shipper compresses and the
    /// broker stores. Readers return 0 for them.
    static let requestDataWords = 9
    /// Pointer words of a request record without a raw line or extras: `rawLine` (11) and
    /// `extras` (12) are the last two pointers, so a parsed line without extras ends there.
    static let requestPointerWords = 11

    static let timeUs = DataSlot(bitOffset: 0, bitWidth: 64)                    // bits[0, 64)
    static let method = DataSlot(bitOffset: 64, bitWidth: 16)                   // bits[64, 80)
    static let httpProtocol = DataSlot(bitOffset: 80, bitWidth: 16)             // bits[80, 96)
    static let status = DataSlot(bitOffset: 96, bitWidth: 16)                   // bits[96, 112)
    static let cacheStatus = DataSlot(bitOffset: 112, bitWidth: 16)             // bits[112, 128)
    static let bodyBytesSent = DataSlot(bitOffset: 128, bitWidth: 64)           // bits[128, 192)
    static let bytesSent = DataSlot(bitOffset: 192, bitWidth: 64)               // bits[192, 256)
    static let requestLength = DataSlot(bitOffset: 256, bitWidth: 64)           // bits[256, 320)
    static let requestTimeUs = DataSlot(bitOffset: 320, bitWidth: 64)           // bits[320, 384)
    static let upstreamResponseTimeUs = DataSlot(bitOffset: 384, bitWidth: 64)  // bits[384, 448)
    static let parseError = DataSlot(bitOffset: 448, bitWidth: 1)               // bits[448, 449)
    static let truncated = DataSlot(bitOffset: 449, bitWidth: 1)                // bits[449, 450)
    static let requestTimeAbsent = DataSlot(bitOffset: 450, bitWidth: 1)        // bits[450, 451)
    static let utcOffsetMin = DataSlot(bitOffset: 464, bitWidth: 16)            // bits[464, 480)
    static let fileOffset = DataSlot(bitOffset: 512, bitWidth: 64)              // bits[512, 576)
    static let kind = DataSlot(bitOffset: 480, bitWidth: 16)                    // bits[480, 496)
    static let shippedLines = DataSlot(bitOffset: 576, bitWidth: 64)            // bits[576, 640)
    static let lostLines = DataSlot(bitOffset: 640, bitWidth: 64)               // bits[640, 704)
    static let lostBytes = DataSlot(bitOffset: 704, bitWidth: 64)               // bits[704, 768)
    static let endOffset = DataSlot(bitOffset: 768, bitWidth: 64)               // bits[768, 832)
    static let lostBytesReplaced = DataSlot(bitOffset: 832, bitWidth: 64)       // bits[832, 896)
    static let lostBytesUnfinished = DataSlot(bitOffset: 896, bitWidth: 64)     // bits[896, 960)

    static let clientIp = 0       // ptr[0]
    static let site = 1           // ptr[1]
    static let edge = 2           // ptr[2]
    static let sourceFile = 3     // ptr[3]
    static let methodText = 4     // ptr[4]
    static let path = 5           // ptr[5]
    static let query = 6          // ptr[6]
    static let referer = 7        // ptr[7]
    static let userAgent = 8      // ptr[8]
    static let remoteUser = 9     // ptr[9]
    static let forwardedFor = 10  // ptr[10]
    static let rawLine = 11       // ptr[11]
    static let extras = 12        // ptr[12]

    /// Pointer indexes of the Text and Data fields, for loops that must not allocate
    /// (`CaseIterable.allCases` builds a new array on every access).
    static let textPointers = [site, edge, sourceFile, methodText, path, query, referer, userAgent, remoteUser,
                               forwardedFor]
    static let dataPointers = [clientIp, rawLine]

    // struct Variable @0x997b89d0efd747d9 {  # 0 bytes, 2 ptrs
    static let variableDataWords = 0
    static let variablePointerWords = 2
    static let variableName = 0   // ptr[0]
    static let variableValue = 1  // ptr[1]

    /// Every AccessRecord field by its schema name, built from the constants above (the ones the
    /// codec uses), for the test that compares them with the compiler's output.
    static let fields: [String: Slot] = [
        "timeUs": bits(timeUs), "clientIp": .pointer(clientIp), "site": .pointer(site),
        "edge": .pointer(edge), "sourceFile": .pointer(sourceFile), "method": bits(method),
        "methodText": .pointer(methodText), "path": .pointer(path), "query": .pointer(query),
        "protocol": bits(httpProtocol), "status": bits(status), "bodyBytesSent": bits(bodyBytesSent),
        "bytesSent": bits(bytesSent), "requestLength": bits(requestLength), "requestTimeUs": bits(requestTimeUs),
        "upstreamResponseTimeUs": bits(upstreamResponseTimeUs), "cacheStatus": bits(cacheStatus),
        "referer": .pointer(referer), "userAgent": .pointer(userAgent), "remoteUser": .pointer(remoteUser),
        "forwardedFor": .pointer(forwardedFor), "parseError": bits(parseError), "truncated": bits(truncated),
        "requestTimeAbsent": bits(requestTimeAbsent),
        "rawLine": .pointer(rawLine), "fileOffset": bits(fileOffset), "utcOffsetMin": bits(utcOffsetMin),
        "extras": .pointer(extras), "kind": bits(kind), "shippedLines": bits(shippedLines),
        "lostLines": bits(lostLines), "lostBytes": bits(lostBytes), "endOffset": bits(endOffset),
        "lostBytesReplaced": bits(lostBytesReplaced), "lostBytesUnfinished": bits(lostBytesUnfinished),
    ]

    /// Every Variable field by its schema name.
    static let variableFields: [String: Slot] = ["name": .pointer(variableName), "value": .pointer(variableValue)]

    private static func bits(_ slot: DataSlot) -> Slot { .bits(slot.bitOffset, slot.bitOffset + slot.bitWidth) }
}
