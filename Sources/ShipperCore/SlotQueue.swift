/// A first-in, first-out queue for the pipeline's hand-offs (units to encode, transmissions to
/// send). A taken element's slot is emptied at once, so the queue never keeps a taken unit or
/// batch (and its memory) alive; the array is compacted once at least half of it is taken.
///
/// Invariant: `slots[..<head]` are all `nil`, `slots[head...]` are all non-`nil`.
struct SlotQueue<Element> {
    private var slots: [Element?] = []
    private var head = 0

    var count: Int { slots.count - head }
    var isEmpty: Bool { head == slots.count }
    /// The oldest element, not taken.
    var first: Element? { head < slots.count ? slots[head] : nil }

    mutating func append(_ element: Element) {
        slots.append(element)
    }

    mutating func append(contentsOf elements: some Sequence<Element>) {
        slots.append(contentsOf: elements.lazy.map(Optional.some))
    }

    mutating func popFirst() -> Element? {
        guard head < slots.count, let element = slots[head] else { return nil }
        slots[head] = nil
        head += 1
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Drops the waiting elements that match, keeping the order of the others.
    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        slots = slots[head...].filter { $0.map { !shouldRemove($0) } ?? false }
        head = 0
    }

    mutating func removeAll() {
        slots.removeAll()
        head = 0
    }
}
