import Testing

@testable import RequestEncoding

// Checked against the standard library's validator (`String(validating:as:)`), plus "no NUL".

@Suite struct UTF8ValidationTests {
    private func isRecordText(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { UTF8Validation.isRecordText($0) }
    }

    @Test func everyOneAndTwoByteSequence() {
        var mismatches: [[UInt8]] = []
        for first in 0...255 {
            let one = [UInt8(first)]
            if isRecordText(one) != isRecordTextReference(one) { mismatches.append(one) }
            for second in 0...255 {
                let two = [UInt8(first), UInt8(second)]
                if isRecordText(two) != isRecordTextReference(two) { mismatches.append(two) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    /// Every 3- and 4-byte sequence whose bytes come from the boundaries of RFC 3629's table.
    @Test func boundaryBytesInLongerSequences() {
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
            0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var mismatches: [[UInt8]] = []
        for a in interesting {
            for b in interesting {
                for c in interesting {
                    let three = [a, b, c]
                    if isRecordText(three) != isRecordTextReference(three) { mismatches.append(three) }
                    for d in interesting {
                        let four = [a, b, c, d]
                        if isRecordText(four) != isRecordTextReference(four) { mismatches.append(four) }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    /// The eight-bytes-at-a-time ASCII test, with one bad byte at every position of every length.
    @Test func plainASCIIFindsABadByteAnywhere() {
        for count in 0..<40 {
            let clean = [UInt8](repeating: 0x7F, count: count)
            #expect(clean.withUnsafeBytes { UTF8Validation.isPlainASCII($0) })
            for position in 0..<count {
                for bad: UInt8 in [0x00, 0x80, 0xFF] {
                    var value = [UInt8](repeating: 0x01, count: count)
                    value[position] = bad
                    #expect(!value.withUnsafeBytes { UTF8Validation.isPlainASCII($0) }, "\(count) \(position) \(bad)")
                }
            }
        }
    }

    @Test func sequenceLengthNamesEachWellFormedSequence() {
        let text = Array("a\u{e9}\u{20ac}\u{1F600}".utf8)
        var lengths: [Int] = []
        text.withUnsafeBytes { buffer in
            var index = 0
            while index < buffer.count {
                let length = UTF8Validation.sequenceLength(buffer, at: index)
                lengths.append(length)
                index += max(length, 1)
            }
        }
        #expect(lengths == [1, 2, 3, 4])
    }
}
