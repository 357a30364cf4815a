import AccessRecord
import CCapnpPacking
import PipelineTestSupport
import Testing

/// Packing against the reference tool: our packed bytes are what `capnp convert binary:packed`
/// writes, the tool decodes them with `--packed`, and unpacking gives back the message.
///
/// `capnp convert` copies each message into a new builder before writing it, which may lay
/// objects out differently from ours (the same content), so byte-for-byte comparisons pack the
/// tool's own `binary:binary` copy with both.
@Suite struct CapnpPackingTests {
    /// (our packing of the tool's copy of `stream`, the tool's packing of the same).
    static func packedByUsAndTool(_ stream: [UInt8]) throws -> (ours: [UInt8], tool: [UInt8]) {
        let copy = try CapnpTool.run(["convert", "binary:binary"], stdin: stream)
        var ours: [UInt8] = []
        for range in try CapnpFraming.messageRanges(in: copy) {
            ours += try packed(Array(copy[range]))
        }
        return (ours, try CapnpTool.run(["convert", "binary:packed"], stdin: copy))
    }

    static func packed(_ message: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        try message.withUnsafeBytes { raw in try CapnpPacking.pack(raw, into: &output) }
        return output
    }

    /// Two passes: measure, then expand into storage of exactly that size.
    static func unpacked(_ packed: [UInt8], maximumBytes: Int = 1 << 20) throws -> [UInt8] {
        try packed.withUnsafeBytes { raw -> [UInt8] in
            let count = try CapnpPacking.unpackedByteCount(of: raw, maximumBytes: maximumBytes)
            var output = [UInt8](repeating: 0xAA, count: count)
            let written = try CapnpPacking.unpack(raw, into: &output, maximumBytes: maximumBytes)
            #expect(written == count)
            return output
        }
    }

    static func encoded(_ record: AccessRecord) throws -> [UInt8] {
        var buffer: [UInt8] = []
        try AccessRecordBuilder.encode(record, into: &buffer)
        return buffer
    }

    @Test(arguments: RecordSamples.all)
    func packsByteForByteAsTheToolDoes(name: String, record: AccessRecord) throws {
        let message = try Self.encoded(record)
        let ours = try Self.packed(message)
        let compared = try Self.packedByUsAndTool(message)
        #expect(compared.ours == compared.tool, "\(name)")
        #expect(try Self.unpacked(ours) == message, "\(name)")
        #expect(ours.count < message.count, "\(name): packing an access record saves bytes")
    }

    @Test func theToolDecodesOurPackedRecords() throws {
        let message = try Self.encoded(RecordSamples.typical)
        let text = try CapnpTool.run(
            ["decode", "--packed", "--short", CapnpTool.schemaPath, "AccessRecord"],
            stdin: try Self.packed(message))
        let plain = try CapnpTool.run(["decode", "--short", CapnpTool.schemaPath, "AccessRecord"], stdin: message)
        #expect(text == plain)
        #expect(String(decoding: text, as: UTF8.self).contains(#"site = "www.example.com""#))
    }

    /// Many random records, one stream: each packs as the tool packs it and unpacks to itself.
    @Test func randomRecordsRoundTripAndMatchTheTool() throws {
        var rng = SplitMix64(seed: 0x9ac4)
        var stream: [UInt8] = []
        for _ in 0..<200 {
            let message = try Self.encoded(RecordSamples.random(using: &rng))
            let packed = try Self.packed(message)
            #expect(try Self.unpacked(packed) == message)
            stream += message
        }
        let compared = try Self.packedByUsAndTool(stream)
        #expect(compared.ours == compared.tool)
    }

    /// The examples of the encoding's specification, as whole messages (header + segment).
    @Test func specificationExamples() throws {
        let header: [UInt8] = [0, 0, 0, 0, 5, 0, 0, 0]
        let zeros = [UInt8](repeating: 0, count: 32)
        let ones = [UInt8](repeating: 0x8A, count: 32)
        let mixed: [UInt8] = [8, 0, 0, 0, 3, 0, 2, 0]
        #expect(try Self.packed(header + zeros + mixed) == [0x10, 5, 0x00, 3, 0x51, 8, 3, 2])
        #expect(
            try Self.packed(header + ones + mixed)
                == [0x10, 5, 0xFF] + [UInt8](repeating: 0x8A, count: 8) + [3] + [UInt8](repeating: 0x8A, count: 24)
                + [0x51, 8, 3, 2])
    }

    /// Runs longer than a count byte holds are split, as the tool splits them: a raw line of
    /// 600 words of zeros, and one of 600 words without a zero byte.
    @Test func runsBeyond255WordsSplit() throws {
        var zeros = AccessRecord()
        zeros.rawLine = [UInt8](repeating: 0, count: 4800)
        var full = AccessRecord()
        full.rawLine = (0..<4800).map { UInt8(1 + $0 % 251) }
        for record in [zeros, full] {
            let message = try Self.encoded(record)
            let compared = try Self.packedByUsAndTool(message)
            #expect(compared.ours == compared.tool)
            #expect(compared.ours.count < 300 || compared.ours.count > 4800)
            #expect(try Self.unpacked(try Self.packed(message), maximumBytes: 8 << 10) == message)
        }
    }

    @Test func aPackedValueIsToldFromAFramedOne() throws {
        let message = try Self.encoded(RecordSamples.typical)
        let packed = try Self.packed(message)
        #expect(!message.withUnsafeBytes(CapnpPacking.isPacked))
        #expect(packed.withUnsafeBytes(CapnpPacking.isPacked))
        #expect(![UInt8]().withUnsafeBytes(CapnpPacking.isPacked))
    }

    @Test func packingRejectsWhatIsNotOneMessage() throws {
        let message = try Self.encoded(RecordSamples.typical)
        #expect(throws: CapnpError.trailingBytes(messageBytes: message.count, available: message.count + 8)) {
            try Self.packed(message + [UInt8](repeating: 0, count: 8))
        }
        #expect(throws: CapnpError.truncated(needed: message.count, available: message.count - 8)) {
            try Self.packed(Array(message.dropLast(8)))
        }
    }

    /// Every cut of a packed record is an error naming where it broke, never a trap or a short
    /// message passed off as whole.
    @Test func everyTruncationIsRejected() throws {
        let packed = try Self.packed(try Self.encoded(RecordSamples.typical))
        var rejected = 0
        for length in 1..<packed.count {
            do {
                let message = try Self.unpacked(Array(packed[..<length]))
                // A cut at a word boundary is a valid packing of fewer words: framing catches it.
                #expect(throws: CapnpError.self) { try AccessRecord(decoding: message) }
            } catch let error as CapnpError {
                guard case .badPacking = error else {
                    Issue.record("cut at \(length): \(error)")
                    continue
                }
                rejected += 1
            }
        }
        #expect(rejected > packed.count / 2)
    }

    /// The one-pass validate-and-expand the reader uses agrees with the two passes on every cut
    /// of a packed record (same bytes, or the same error), whether its storage is large enough
    /// already or has to grow.
    @Test func onePassUnpackAgreesWithTwoPasses() throws {
        let packed = try Self.packed(try Self.encoded(RecordSamples.withExtras))
        for length in 1...packed.count {
            let cut = Array(packed[..<length])
            let expected = Self.outcome { try Self.unpacked(cut) }
            for initial in [0, 16, 4096] {
                var storage = [UInt8](repeating: 0xAB, count: initial)
                let got = Self.outcome {
                    let count = try cut.withUnsafeBytes { raw in
                        try CapnpPacking.unpack(raw, into: &storage, maximumBytes: 1 << 20)
                    }
                    return Array(storage[..<count])
                }
                #expect(got == expected, "cut at \(length), storage \(initial)")
            }
        }
    }

    /// Messages expanded back to back into one buffer (the consumer's decoded chunks): each
    /// lands at its start, the bytes before it stay, the buffer grows as needed, and a bad one
    /// fails without touching what is there.
    @Test func unpackingAtAnOffsetKeepsWhatIsBefore() throws {
        let messages = try RecordSamples.all.map { try Self.encoded($0.1) }
        let packed = try messages.map { try Self.packed($0) }
        for initial in [0, 24, 1 << 16] {
            var storage = [UInt8](repeating: 0xAB, count: initial)
            var starts: [Int] = []
            var used = 0
            for value in packed {
                starts.append(used)
                used += try value.withUnsafeBytes { raw in
                    try CapnpPacking.unpack(raw, into: &storage, at: used, maximumBytes: 1 << 20)
                }
            }
            for (index, message) in messages.enumerated() {
                #expect(Array(storage[starts[index]..<(starts[index] + message.count)]) == message, "initial \(initial)")
            }
            let before = Array(storage[..<used])
            #expect(throws: CapnpError.self) {
                try [UInt8]([0x0F, 1, 2]).withUnsafeBytes { raw in
                    try CapnpPacking.unpack(raw, into: &storage, at: used, maximumBytes: 1 << 20)
                }
            }
            #expect(Array(storage[..<used]) == before)
        }
    }

    /// The bytes, or the error, as text to compare.
    static func outcome(_ body: () throws -> [UInt8]) -> String {
        do { return "\(try body())" } catch { return "error: \(error)" }
    }

    @Test func hostileExpansionIsBounded() throws {
        // 2 bytes per 256 zero words: 4 KiB of input claims 4 MiB.
        let bomb = [UInt8]((0..<2048).flatMap { _ in [0x00, 0xFF] })
        #expect(throws: CapnpError.unpackedTooLarge(limit: 1 << 20)) { try Self.unpacked(bomb) }
        #expect(throws: CapnpError.badPacking(offset: 1, reason: "the run count is missing")) {
            try Self.unpacked([0x00])
        }
        #expect(throws: CapnpError.badPacking(offset: 3, reason: "a tag's bytes are cut off")) {
            try Self.unpacked([0x0F, 1, 2])
        }
        #expect(throws: CapnpError.badPacking(offset: 13, reason: "a verbatim run of 2 words is cut off")) {
            try Self.unpacked([0xFF, 1, 1, 1, 1, 1, 1, 1, 1, 2, 7, 7, 7])
        }
    }
}

/// Values as the consumer meets them: packed from the shipper, framed from older writers.
@Suite struct RecordValueDecoderTests {
    @Test(arguments: RecordSamples.all)
    func readsPackedAndFramedValuesAlike(name: String, record: AccessRecord) throws {
        let message = try CapnpPackingTests.encoded(record)
        let packed = try CapnpPackingTests.packed(message)
        var decoder = RecordValueDecoder()
        let fromPacked = try packed.withUnsafeBytes { raw in
            try decoder.withReader(raw) { $0.toRecord() }
        }
        let fromFramed = try message.withUnsafeBytes { raw in
            try decoder.withReader(raw) { $0.toRecord() }
        }
        #expect(fromPacked == record, "\(name)")
        #expect(fromFramed == record, "\(name)")
        #expect(try AccessRecord(decoding: packed) == record, "\(name)")
    }

    /// The decoder's storage is reused: a short record after a long one reads as itself, not
    /// with the long one's tail.
    @Test func storageIsReusedAcrossRecordsOfDifferentSizes() throws {
        var rng = SplitMix64(seed: 7)
        var decoder = RecordValueDecoder()
        for _ in 0..<100 {
            let record = RecordSamples.random(using: &rng)
            let packed = try CapnpPackingTests.packed(try CapnpPackingTests.encoded(record))
            let read = try packed.withUnsafeBytes { raw in
                try decoder.withReader(raw) { $0.toRecord() }
            }
            #expect(read == record)
        }
    }

    @Test func aValueExpandingBeyondTheLimitIsRejected() throws {
        var decoder = RecordValueDecoder(maximumMessageBytes: 64)
        let packed = try CapnpPackingTests.packed(try CapnpPackingTests.encoded(RecordSamples.typical))
        #expect(throws: CapnpError.unpackedTooLarge(limit: 64)) {
            try packed.withUnsafeBytes { raw in try decoder.withReader(raw) { _ in 0 } }
        }
    }
}

/// The C loops behind `CapnpPacking`: the byte-shuffle path this CPU takes and the portable one
/// CPUs without SSSE3 take write the same bytes.
@Suite struct CapnpPackingPathsTests {
    @Test func portableAndShufflePathsAgree() throws {
        var rng = SplitMix64(seed: 0x51_5E)
        for _ in 0..<300 {
            let message = try CapnpPackingTests.encoded(RecordSamples.random(using: &rng))
            let words = message.count / 8
            var portable = [UInt8](repeating: 0, count: words * 10)
            let count = message.withUnsafeBufferPointer { input in
                portable.withUnsafeMutableBufferPointer { output in
                    edgelog_capnp_pack_piece_portable(input.baseAddress, words, output.baseAddress)
                }
            }
            // The same message packed as one piece (header and segment together) on the fast path.
            var fast = [UInt8](repeating: 0, count: words * 10)
            let fastCount = message.withUnsafeBufferPointer { input in
                fast.withUnsafeMutableBufferPointer { output in
                    edgelog_capnp_pack_piece(input.baseAddress, words, output.baseAddress)
                }
            }
            #expect(Array(portable[..<count]) == Array(fast[..<fastCount]))
            var unpacked = [UInt8](repeating: 0xEE, count: message.count)
            var written = 0
            var offset = 0
            var run = 0
            let status = portable.withUnsafeBufferPointer { input in
                unpacked.withUnsafeMutableBufferPointer { output in
                    edgelog_capnp_unpack_checked_portable(
                        input.baseAddress, count, output.baseAddress, words, words, &written, &offset, &run)
                }
            }
            #expect(status == 0 && written == words)
            #expect(unpacked == message)
        }
    }

    /// On any bytes — valid packings of real records, cut or corrupted, and random bytes —
    /// with any room, the shuffle path (with its unchecked stretch far from the ends) reports
    /// what the portable loop reports: the status, the words written or where it failed, and
    /// the same output bytes.
    @Test func checkedUnpackingAgreesOnAnyInput() throws {
        var rng = SplitMix64(seed: 0xC0FFEE)
        var packings: [[UInt8]] = []
        for _ in 0..<200 {
            let message = try CapnpPackingTests.encoded(RecordSamples.random(using: &rng))
            var packed = [UInt8](repeating: 0, count: message.count / 8 * 10)
            let count = message.withUnsafeBufferPointer { input in
                packed.withUnsafeMutableBufferPointer { edgelog_capnp_pack_piece_portable(input.baseAddress, message.count / 8, $0.baseAddress) }
            }
            packings.append(Array(packed[..<count]))
        }
        var checked = 0
        for round in 0..<3_000 {
            var input = packings[Int(rng.next() % UInt64(packings.count))]
            switch round % 4 {
            case 0: break
            case 1: input = Array(input.prefix(Int(rng.next() % UInt64(input.count + 1))))  // cut
            case 2:  // a few bytes changed
                for _ in 0..<(1 + Int(rng.next() % 4)) where !input.isEmpty {
                    input[Int(rng.next() % UInt64(input.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            default: input = (0..<Int(rng.next() % 600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            // Half the rounds with room to spare (where the shuffle path skips its checks).
            let roomy = round % 2 == 0
            let capacity = roomy ? 4096 : Int(rng.next() % 400)
            let maximum = roomy ? 4096 + Int(rng.next() % 2) : Int(rng.next() % 400)
            func run(_ portable: Bool) -> (Int32, Int, Int, Int, [UInt8]) {
                var output = [UInt8](repeating: 0xEE, count: capacity * 8)
                var words = -1
                var offset = -1
                var runLength = -1
                let status = input.withUnsafeBufferPointer { input in
                    output.withUnsafeMutableBufferPointer { output in
                        portable
                            ? edgelog_capnp_unpack_checked_portable(
                                input.baseAddress, input.count, output.baseAddress, capacity, maximum, &words, &offset, &runLength)
                            : edgelog_capnp_unpack_checked(
                                input.baseAddress, input.count, output.baseAddress, capacity, maximum, &words, &offset, &runLength)
                    }
                }
                let kept = status == 0 ? Array(output.prefix(words * 8)) : []
                return (status, status == 0 ? words : -1, status == 0 ? -1 : offset, runLength, kept)
            }
            let (portable, fast) = (run(true), run(false))
            #expect(portable.0 == fast.0 && portable.1 == fast.1 && portable.2 == fast.2 && portable.3 == fast.3,
                    "round \(round): portable \(portable.0) \(portable.1) \(portable.2) \(portable.3), fast \(fast.0) \(fast.1) \(fast.2) \(fast.3)")
            #expect(portable.4 == fast.4, "round \(round): output differs")
            if portable.0 == 0 { checked += 1 }
        }
        #expect(checked > 200, "valid inputs with enough room occur: \(checked)")
    }
}
