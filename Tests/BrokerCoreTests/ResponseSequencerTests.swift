import NIOCore
import Testing

@testable import BrokerCore

struct ResponseSequencerTests {
    func frame(_ byte: UInt8) -> ByteBuffer { ByteBuffer(bytes: [byte]) }

    @Test func laterCompletionsWaitForEarlierOnes() {
        var sequencer = ResponseSequencer()
        let first = sequencer.enqueue()
        let second = sequencer.enqueue()
        let third = sequencer.enqueue()
        #expect(sequencer.complete(third, with: .response(frame(3))).writes.isEmpty)
        #expect(sequencer.complete(second, with: .noResponse).writes.isEmpty)
        #expect(sequencer.pendingCount == 3)
        let release = sequencer.complete(first, with: .response(frame(1)))
        #expect(release.writes == [frame(1), frame(3)])
        #expect(release.closeReason == nil)
        #expect(sequencer.pendingCount == 0)
    }

    @Test func closeWaitsForEarlierResponsesAndDropsLaterOnes() {
        var sequencer = ResponseSequencer()
        let first = sequencer.enqueue()
        let second = sequencer.enqueue()
        let third = sequencer.enqueue()
        #expect(sequencer.complete(third, with: .response(frame(3))).writes.isEmpty)
        #expect(sequencer.complete(second, with: .close("bad")).closeReason == nil)
        let release = sequencer.complete(first, with: .response(frame(1)))
        #expect(release.writes == [frame(1)])
        #expect(release.closeReason == "bad")
        #expect(sequencer.isClosed)
    }
}
