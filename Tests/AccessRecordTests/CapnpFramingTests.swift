import AccessRecord
import Testing

/// Splitting a stream of framed messages, checked on messages the reference tool wrote.
@Suite struct CapnpFramingTests {
    static func toolMessages() throws -> [[UInt8]] {
        [
            try CapnpTool.encodeText("()"),
            try CapnpTool.encodeText(#"(site = "a", extras = [(name = "n", value = "v")])"#),
            // Several segments: the splitter needs only the table, whatever the count.
            try CapnpTool.encodeJSON(JSONValue.capnpJSON(of: RecordSamples.withExtras), extra: ["--segment-size=8"]),
            try CapnpTool.encodeJSON(JSONValue.capnpJSON(of: RecordSamples.typical)),
        ]
    }

    @Test func lengthOfEachToolMessage() throws {
        for message in try Self.toolMessages() {
            #expect(try CapnpFraming.nextMessageLength(in: message) == message.count)
            #expect(try CapnpFraming.nextMessageLength(in: message + [1, 2, 3]) == message.count)
        }
    }

    @Test func rangesOfAConcatenatedBatch() throws {
        let messages = try Self.toolMessages()
        let batch = messages.flatMap { $0 }
        var expected: [Range<Int>] = []
        var start = 0
        for message in messages {
            expected.append(start..<(start + message.count))
            start += message.count
        }
        #expect(try CapnpFraming.messageRanges(in: batch) == expected)
        #expect(try CapnpFraming.messageRanges(in: [UInt8]()) == [])
    }

    /// Until the segment table is complete the length is unknown; after that it is known even
    /// though the segments have not arrived.
    @Test func partialHeaders() throws {
        let message = try Self.toolMessages()[2]
        let segmentCount = Int(message[0]) + 1
        let headerBytes = (4 + 4 * segmentCount + 7) / 8 * 8
        for length in 0..<headerBytes {
            #expect(try CapnpFraming.nextMessageLength(in: Array(message[..<length])) == nil)
        }
        #expect(try CapnpFraming.nextMessageLength(in: Array(message[..<headerBytes])) == message.count)
    }

    @Test func truncatedLastMessage() throws {
        let messages = try Self.toolMessages()
        let batch = messages[0] + messages[1].dropLast(8)
        #expect(throws: CapnpError.truncated(needed: messages[1].count, available: messages[1].count - 8)) {
            try CapnpFraming.messageRanges(in: batch)
        }
        #expect(throws: CapnpError.truncated(needed: 8, available: 3)) {
            try CapnpFraming.messageRanges(in: messages[0] + [0, 0, 0])
        }
    }

    @Test func absurdSegmentCount() {
        #expect(throws: CapnpError.badSegmentTable(segmentCount: 1 << 32, reason: "more than 512 segments")) {
            try CapnpFraming.nextMessageLength(in: [0xff, 0xff, 0xff, 0xff])
        }
        #expect(throws: CapnpError.badSegmentTable(segmentCount: 513, reason: "more than 512 segments")) {
            try CapnpFraming.nextMessageLength(in: [0x00, 0x02, 0x00, 0x00])
        }
    }
}
