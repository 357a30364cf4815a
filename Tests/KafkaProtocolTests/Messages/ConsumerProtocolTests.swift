import KafkaProtocol
import Testing

/// The `consumer` protocol's member metadata and assignment bytes, against layouts written out
/// by hand from Kafka's `ConsumerProtocolSubscription.json` / `ConsumerProtocolAssignment.json`
/// (int16 version, int32 array counts, int16 string lengths, int32 bytes length, -1 = null).
struct ConsumerProtocolTests {
    @Test func subscriptionVersionZeroBytes() throws {
        let bytes = try ConsumerProtocolSubscription(topics: ["ab", "c"]).encoded()
        let expected: [UInt8] = [
            0x00, 0x00,  // version 0
            0x00, 0x00, 0x00, 0x02,  // two topics
            0x00, 0x02, 0x61, 0x62,  // "ab"
            0x00, 0x01, 0x63,  // "c"
            0xff, 0xff, 0xff, 0xff,  // user data: null
        ]
        #expect(bytes == expected)
        #expect(try ConsumerProtocolSubscription(bytes: bytes) == ConsumerProtocolSubscription(topics: ["ab", "c"]))
    }

    /// A version-1 subscription (what newer Java clients send): owned partitions follow the
    /// user data and are skipped.
    @Test func laterSubscriptionVersionsAreReadForTheirTopics() throws {
        let bytes: [UInt8] = [
            0x00, 0x01,  // version 1
            0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74,  // ["t"]
            0x00, 0x00, 0x00, 0x01, 0x7a,  // user data: 1 byte
            0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03,  // owned t[3]
        ]
        let subscription = try ConsumerProtocolSubscription(bytes: bytes)
        #expect(subscription.topics == ["t"])
        #expect(subscription.userData == [0x7a])
    }

    @Test func assignmentVersionZeroBytes() throws {
        let assignment = ConsumerProtocolAssignment(partitions: ["t": [0, 2]])
        let expected: [UInt8] = [
            0x00, 0x00,  // version 0
            0x00, 0x00, 0x00, 0x01,  // one topic
            0x00, 0x01, 0x74,  // "t"
            0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // [0, 2]
            0xff, 0xff, 0xff, 0xff,  // user data: null
        ]
        #expect(try assignment.encoded() == expected)
        #expect(try ConsumerProtocolAssignment(bytes: expected) == assignment)
    }

    @Test func emptyAssignmentBytesMeanNoPartitions() throws {
        #expect(try ConsumerProtocolAssignment(bytes: []).partitions.isEmpty)
    }

    @Test func truncatedBytesAreAnErrorNotACrash() {
        let full = (try? ConsumerProtocolAssignment(partitions: ["topic": [1, 2, 3]]).encoded()) ?? []
        #expect(full.count > 10)
        for length in 1..<(full.count - 4) {
            #expect(throws: KafkaProtocolError.self) { try ConsumerProtocolAssignment(bytes: Array(full.prefix(length))) }
        }
        #expect(throws: KafkaProtocolError.self) { try ConsumerProtocolSubscription(bytes: [0x00]) }
    }
}
