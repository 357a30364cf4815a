@testable import AccessRecord
import PipelineTestSupport
import Testing

/// Hostile bytes must produce a typed error (or, for harmless damage, a record) — never a trap,
/// a hang, or unbounded work.
@Suite struct AccessRecordReaderHostileTests {
    /// Messages assembled word by word from the wire-format rules (reference README §1-2), so
    /// they do not depend on the builder under test. Root struct: our layout, 9 data words and
    /// 13 pointers at words 1-22; pointer field n sits at word 10 + n.
    struct Words {
        var words: [UInt64]

        init(rootData: Int = 9, rootPointers: Int = 13) {
            words = [Self.structPointer(offset: 0, dataWords: rootData, pointerWords: rootPointers)]
                + Array(repeating: 0, count: rootData + rootPointers)
        }

        static let sitePointerWord = 11
        static let extrasPointerWord = 22

        var message: [UInt8] {
            var bytes: [UInt8] = [0, 0, 0, 0] + withUnsafeBytes(of: UInt32(words.count).littleEndian, Array.init)
            for word in words { bytes += withUnsafeBytes(of: word.littleEndian, Array.init) }
            return bytes
        }

        static func structPointer(offset: Int, dataWords: Int, pointerWords: Int) -> UInt64 {
            UInt64(UInt32(truncatingIfNeeded: offset << 2)) | UInt64(dataWords) << 32 | UInt64(pointerWords) << 48
        }

        static func listPointer(offset: Int, elementSize: UInt64, count: Int) -> UInt64 {
            UInt64(UInt32(truncatingIfNeeded: offset << 2)) | 1 | elementSize << 32 | UInt64(count) << 35
        }

        /// Appends `bytes` padded to words and returns the first word's index.
        mutating func appendBlob(_ bytes: [UInt8]) -> Int {
            let start = words.count
            let padded = bytes + Array(repeating: 0, count: (8 - bytes.count % 8) % 8)
            for index in stride(from: 0, to: padded.count, by: 8) {
                words.append(padded[index..<(index + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) })
            }
            return start
        }
    }

    static func error(decoding message: [UInt8], limits: AccessRecordReader.Limits = .init()) -> CapnpError? {
        do {
            _ = try AccessRecord(decoding: message, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    static func capnpMessage() throws -> [UInt8] {
        try CapnpTool.encodeJSON(JSONValue.capnpJSON(of: RecordSamples.withExtras))
    }

    @Test func everyTruncationIsRejected() throws {
        let message = try Self.capnpMessage()
        for length in 0..<message.count {
            let error = Self.error(decoding: Array(message[..<length]))
            guard case .truncated = error else {
                Issue.record("prefix of \(length) bytes gave \(String(describing: error))")
                continue
            }
        }
    }

    /// `message` with one to four random bits flipped.
    static func flippingBits(of message: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var damaged = message
        for _ in 0...Int.random(in: 0...3, using: &rng) {
            let bit = Int.random(in: 0..<(damaged.count * 8), using: &rng)
            damaged[bit >> 3] ^= UInt8(1) << UInt8(bit & 7)
        }
        return damaged
    }

    @Test func randomBitFlipsNeverCrash() throws {
        let message = try Self.capnpMessage()
        var rng = SplitMix64(seed: 0xB17F_11B5)
        var decoded = 0
        var rejected = 0
        for _ in 0..<5000 {
            let damaged = Self.flippingBits(of: message, using: &rng)
            if Self.error(decoding: damaged) == nil { decoded += 1 } else { rejected += 1 }
        }
        // Most flips land in text bytes or numbers (still valid), some in pointers (rejected).
        #expect(decoded > 0)
        #expect(rejected > 0)
    }

    /// `init(validated:)` skips the walk but not the bounds checks: on damaged messages the
    /// full reader refuses, every field still reads without a crash, and on the messages the
    /// full reader accepts both read the same record.
    @Test func readingUnvalidatedBytesNeverCrashesAndAgreesWhenValid() throws {
        let message = try Self.capnpMessage()
        var rng = SplitMix64(seed: 0x7A11_DA7E)
        var agreed = 0
        var refusedByFullReader = 0
        for _ in 0..<3000 {
            let damaged = Self.flippingBits(of: message, using: &rng)
            try damaged.withUnsafeBytes { raw in
                let full = try? AccessRecordReader(raw)
                guard let light = try? AccessRecordReader(validated: raw) else {
                    #expect(full == nil, "the light reader refused what the full one read")
                    return
                }
                let record = light.toRecord()
                if let full {
                    #expect(record == full.toRecord())
                    agreed += 1
                } else {
                    refusedByFullReader += 1
                }
            }
        }
        #expect(agreed > 0)
        #expect(refusedByFullReader > 0)
    }

    @Test func absurdSegmentCount() throws {
        var message = try Self.capnpMessage()
        message.replaceSubrange(0..<4, with: [0xff, 0xff, 0xff, 0xff])
        guard case .badSegmentTable(let count, _) = Self.error(decoding: message) else {
            Issue.record("not rejected as a bad segment table"); return
        }
        #expect(count == 1 << 32)
    }

    @Test func rootPointerPastTheEnd() {
        var words = Words()
        words.words[0] = Words.structPointer(offset: 1000, dataWords: 9, pointerWords: 13)
        #expect(Self.error(decoding: words.message)
            == .pointerOutOfBounds(pointerWord: 0, targetWord: 1001, sizeBytes: 22 * 8, segmentWords: 23))
    }

    @Test func rootPointerBeforeTheStart() {
        var words = Words()
        words.words[0] = Words.structPointer(offset: -5, dataWords: 1, pointerWords: 0)
        #expect(Self.error(decoding: words.message)
            == .pointerOutOfBounds(pointerWord: 0, targetWord: -4, sizeBytes: 8, segmentWords: 23))
    }

    @Test func emptySegmentHasNoRootPointer() {
        #expect(Self.error(decoding: [0, 0, 0, 0, 0, 0, 0, 0])
            == .pointerOutOfBounds(pointerWord: 0, targetWord: 0, sizeBytes: 8, segmentWords: 0))
    }

    /// A struct list whose pointer targets itself: the "tag" is then a list pointer.
    @Test func listPointerPointingAtItself() {
        var words = Words()
        words.words[Words.extrasPointerWord] = Words.listPointer(offset: -1, elementSize: 7, count: 0)
        #expect(Self.error(decoding: words.message)
            == .wrongPointerKind(pointerWord: Words.extrasPointerWord, expected: .structure, found: .list))
    }

    /// 1000 extras whose names all point at one 4 KiB text: 20 KiB of message, 4 MiB of reading.
    @Test func overlappingPointersTripTheTraversalLimit() throws {
        var words = Words()
        let count = 1000
        let tagWord = words.words.count
        words.words[Words.extrasPointerWord] = Words.listPointer(
            offset: tagWord - (Words.extrasPointerWord + 1), elementSize: 7, count: count * 2)
        words.words.append(Words.structPointer(offset: count, dataWords: 0, pointerWords: 2))
        words.words += Array(repeating: 0, count: count * 2)
        let text = Array(repeating: UInt8(ascii: "x"), count: 4096) + [0]
        let textWord = words.appendBlob(text)
        for index in 0..<count {
            let nameWord = tagWord + 1 + 2 * index
            words.words[nameWord] = Words.listPointer(offset: textWord - (nameWord + 1), elementSize: 2,
                                                      count: text.count)
        }
        #expect(words.words.count < 3000)
        #expect(Self.error(decoding: words.message, limits: .init(traversalLimitWords: 100_000))
            == .traversalLimitExceeded(limitWords: 100_000))
        // Legal, and within the default budget: every name reads the shared text.
        let record = try AccessRecord(decoding: words.message)
        #expect(record.extras.count == count)
        #expect(record.extras.allSatisfy { $0.name.utf8.count == 4096 })
    }

    /// 2^28 zero-sized elements in zero words: no bytes to read, but no end of iterating either.
    @Test func hugeListOfEmptyStructsTripsTheTraversalLimit() {
        var words = Words()
        words.words[Words.extrasPointerWord] = Words.listPointer(offset: 0, elementSize: 7, count: 0)
        words.words.append(Words.structPointer(offset: 1 << 28, dataWords: 0, pointerWords: 0))
        #expect(Self.error(decoding: words.message) == .traversalLimitExceeded(limitWords: 8 * 1024 * 1024))
    }

    @Test func compositeTagClaimingMoreThanTheList() {
        var words = Words()
        words.words[Words.extrasPointerWord] = Words.listPointer(offset: 0, elementSize: 7, count: 4)
        words.words.append(Words.structPointer(offset: 5, dataWords: 0, pointerWords: 2))
        words.words += [0, 0, 0, 0]
        #expect(Self.error(decoding: words.message)
            == .compositeListOverrun(pointerWord: Words.extrasPointerWord, elements: 5, wordsPerElement: 2,
                                     listWords: 4))
    }

    @Test func textWithoutNul() throws {
        var message = try CapnpTool.encodeText(#"(site = "abcdefg")"#)
        let text = Array("abcdefg".utf8) + [0]
        let start = try #require((0...(message.count - 8)).first { Array(message[$0..<($0 + 8)]) == text })
        message[start + 7] = UInt8(ascii: "h")
        // capnp writes the schema's full data section: the site pointer follows all of it.
        let sitePointerWord = 1 + AccessRecordLayout.dataWords + AccessRecordLayout.site
        #expect(Self.error(decoding: message) == .textNotTerminated(pointerWord: sitePointerWord))
    }

    @Test func textWithoutEvenTheNul() {
        var words = Words()
        words.words[Words.sitePointerWord] = Words.listPointer(offset: 0, elementSize: 2, count: 0)
        #expect(Self.error(decoding: words.message) == .textNotTerminated(pointerWord: Words.sitePointerWord))
    }

    @Test func wrongPointerKinds() {
        let cases: [(UInt64, CapnpError.PointerKind)] = [
            (Words.structPointer(offset: 0, dataWords: 1, pointerWords: 0), .structure),
            (2 | 0 << 3 | 0 << 32, .far),  // far pointer to segment 0, word 0
            (3, .other),  // capability #0
        ]
        for (pointer, kind) in cases {
            var words = Words()
            words.words[Words.sitePointerWord] = pointer
            #expect(Self.error(decoding: words.message)
                == .wrongPointerKind(pointerWord: Words.sitePointerWord, expected: .list, found: kind))
        }
        var words = Words()
        words.words[0] = Words.listPointer(offset: 0, elementSize: 2, count: 8)
        #expect(Self.error(decoding: words.message) == .wrongPointerKind(pointerWord: 0, expected: .structure,
                                                                         found: .list))
    }

    @Test func wrongElementSizes() {
        var words = Words()
        words.words[Words.sitePointerWord] = Words.listPointer(offset: 0, elementSize: 3, count: 1)
        #expect(Self.error(decoding: words.message)
            == .wrongElementSize(pointerWord: Words.sitePointerWord, expected: 2, found: 3))
        words = Words()
        words.words[Words.extrasPointerWord] = Words.listPointer(offset: 0, elementSize: 2, count: 0)
        #expect(Self.error(decoding: words.message)
            == .wrongElementSize(pointerWord: Words.extrasPointerWord, expected: 7, found: 2))
    }

    @Test func bytesAfterTheMessage() throws {
        let message = try Self.capnpMessage()
        #expect(Self.error(decoding: message + [0, 0, 0, 0, 0, 0, 0, 0])
            == .trailingBytes(messageBytes: message.count, available: message.count + 8))
    }

    @Test func twoSegmentsAreRejectedBeforeAnyPointerIsRead() {
        // Segment count − 1 = 1, sizes 1 and 1, padding, two one-word segments.
        let message: [UInt8] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0] + Array(repeating: 0, count: 16)
        #expect(Self.error(decoding: message) == .multiSegmentUnsupported(segmentCount: 2))
    }
}
