import KafkaClient
import LogTailing
import NIOCore
import Testing

@testable import ShipperCore

@Suite struct OutboundQueueTests {
    static func transmission(file: UInt64 = 1, batch: UInt64, attempt: Int = 0, partition: Int32 = 0) -> Transmission {
        Transmission(
            file: TailedFileID(rawValue: file),
            batch: .init(
                id: batch,
                partition: TopicPartition(topic: "t", partition: partition),
                baseSequence: Int32(batch) * 10,
                recordCount: 10,
                attempt: attempt
            ),
            bytes: ByteBuffer()
        )
    }

    @Test func keepsOrderAndLetsAResendReplaceAQueuedOlderCopy() async {
        let queue = OutboundQueue()
        queue.push([Self.transmission(batch: 1), Self.transmission(batch: 2), Self.transmission(batch: 3)])
        let first = await queue.next()
        #expect(first?.batch.id == 1)
        queue.push([Self.transmission(batch: 1, attempt: 1), Self.transmission(batch: 2, attempt: 1)])
        var taken: [(UInt64, Int)] = []
        for _ in 0..<3 {
            if let next = await queue.next() { taken.append((next.batch.id, next.batch.attempt)) }
        }
        #expect(taken.map(\.0) == [3, 1, 2])
        #expect(taken.map(\.1) == [0, 1, 1])
        #expect(queue.count == 0)
    }

    /// Companions for one Produce request: same file, distinct partitions, in queue order, and
    /// the first that cannot join ends the request (so a partition's order is never changed).
    @Test func companionsShareARequestOnlyWhileFileAndPartitionsAllow() async {
        let queue = OutboundQueue()
        queue.push([
            Self.transmission(batch: 1, partition: 0), Self.transmission(batch: 2, partition: 1),
            Self.transmission(batch: 3, partition: 2), Self.transmission(batch: 4, partition: 1),
            Self.transmission(batch: 5, partition: 3), Self.transmission(file: 2, batch: 6, partition: 0),
        ])
        guard let head = await queue.next() else {
            Issue.record("the queue gave nothing")
            return
        }
        #expect(queue.takeCompanions(of: head, limit: 16).map(\.batch.id) == [2, 3])  // 4 repeats partition 1
        let second = await queue.next()
        #expect(second?.batch.id == 4)
        if let second {
            #expect(queue.takeCompanions(of: second, limit: 16).map(\.batch.id) == [5])  // 6 is another file
        }
        let third = await queue.next()
        #expect(third?.batch.id == 6)
        queue.push([Self.transmission(batch: 7, partition: 0), Self.transmission(batch: 8, partition: 1)])
        let fourth = await queue.next()
        if let fourth { #expect(queue.takeCompanions(of: fourth, limit: 1).isEmpty) }
        #expect(queue.count == 1)
    }

    @Test func sameBatchIdOfAnotherFileIsNotReplaced() async {
        let queue = OutboundQueue()
        queue.push([Self.transmission(file: 1, batch: 7)])
        queue.push([Self.transmission(file: 2, batch: 7)])
        #expect(queue.count == 2)
    }

    @Test func aWaitingTakerGetsThePushAndCloseEndsIt() async {
        let queue = OutboundQueue()
        async let taken = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        queue.push([Self.transmission(batch: 4)])
        #expect(await taken?.batch.id == 4)
        async let ended = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        queue.close()
        #expect(await ended == nil)
        queue.push([Self.transmission(batch: 5)])
        #expect(await queue.next() == nil, "nothing is taken after close")
    }
}
