import Testing

@testable import ShipperCore

@Suite struct SlotQueueTests {
    final class Tracked {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test func firstInFirstOutAcrossCompactions() {
        var queue = SlotQueue<Int>()
        var taken: [Int] = []
        for round in 0..<5 {
            queue.append(contentsOf: (round * 100)..<(round * 100 + 100))
            for _ in 0..<70 { if let value = queue.popFirst() { taken.append(value) } }
        }
        while let value = queue.popFirst() { taken.append(value) }
        #expect(taken == (0..<5).flatMap { ($0 * 100)..<($0 * 100 + 100) })
        #expect(queue.isEmpty && queue.count == 0 && queue.first == nil)
    }

    /// The reason for the type: a taken element is not kept alive by the queue.
    @Test func aTakenElementIsReleasedAtOnce() {
        var queue = SlotQueue<Tracked>()
        weak var watched: Tracked?
        do {
            let element = Tracked(1)
            watched = element
            queue.append(element)
            queue.append(Tracked(2))
        }
        _ = queue.popFirst()
        #expect(watched == nil)
        #expect(queue.first?.value == 2)
    }

    @Test func removingWhereKeepsTheOrderOfTheRest() {
        var queue = SlotQueue<Int>()
        queue.append(contentsOf: 0..<10)
        _ = queue.popFirst()
        queue.removeAll { $0 % 3 == 0 }
        var rest: [Int] = []
        while let value = queue.popFirst() { rest.append(value) }
        #expect(rest == [1, 2, 4, 5, 7, 8])
    }
}
