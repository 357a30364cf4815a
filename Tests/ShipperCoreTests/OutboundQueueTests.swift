import KafkaClient
import LogTailing
import NIOCore
import Testing

@testable import ShipperCore

@Suite struct OutboundQueueTests {
    static func transmission(file: UInt64 = 1, batch: UInt64, attempt: Int = 0) -> Transmission {
        Transmission(
            file: TailedFileID(rawValue: file),
            batch: .init(
                id: batch,
                partition: TopicPartition(topic: "t", partition: 0),
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
