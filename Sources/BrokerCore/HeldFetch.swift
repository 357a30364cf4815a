import KafkaProtocol
import NIOCore

/// A Fetch waiting for data (long poll): registered on its partitions' waiters (``HeldFetches``) and on
/// a timer at its deadline, whichever comes first.
///
/// On a wake-up it reads again (on the storage executor); enough bytes, or the deadline passed,
/// answers; otherwise it registers again. On the deadline it answers with the last read — any
/// append since would have woken it first. Registration refused (the log moved between the read
/// and the registration) means read again at once, so no append is missed.
///
/// Confined to its event loop: every state change happens there (wake-ups from appending threads
/// hop over with `execute`), which is why `@unchecked Sendable` is sound.
final class HeldFetch: @unchecked Sendable {
    private let dispatcher: RequestDispatcher
    private let request: FetchRequest
    private let header: RequestHeader
    private let deadline: NIODeadline
    private let waitTime: TimeAmount
    private let eventLoop: any EventLoop
    private let promise: EventLoopPromise<ByteBuffer>

    private var registration: HeldFetches.Registration?
    private var timer: Scheduled<Void>?
    private var lastResult: FetchReadResult?
    private var isReading = false
    private var isExpired = false
    private var isDone = false

    init(
        dispatcher: RequestDispatcher,
        request: FetchRequest,
        header: RequestHeader,
        waitTime: TimeAmount,
        eventLoop: any EventLoop
    ) {
        self.dispatcher = dispatcher
        self.request = request
        self.header = header
        self.waitTime = waitTime
        self.deadline = NIODeadline.now() + waitTime
        self.eventLoop = eventLoop
        self.promise = eventLoop.makePromise(of: ByteBuffer.self)
    }

    /// Starts waiting after `result` (a read that did not satisfy `min_bytes`); the future gives
    /// the response frame.
    func start(after result: FetchReadResult) -> EventLoopFuture<ByteBuffer> {
        eventLoop.preconditionInEventLoop()
        lastResult = result
        // Scheduled relative to the loop's own clock (tests advance an EmbeddedEventLoop's).
        timer = eventLoop.scheduleTask(in: waitTime) { self.expire() }
        wait(observing: result)
        return promise.futureResult
    }

    private func wait(observing result: FetchReadResult) {
        if dispatcher.node.heldFetches.isShutDown {
            finish(result)
            return
        }
        let eventLoop = self.eventLoop
        registration = dispatcher.node.heldFetches.register(result.observed) { [self] in
            eventLoop.execute { self.woken() }
        }
        if registration == nil { readAgain() }
    }

    private func woken() {
        guard !isDone, !isReading else { return }
        cancelRegistration()
        readAgain()
    }

    private func readAgain() {
        isReading = true
        let request = self.request
        let dispatcher = self.dispatcher
        dispatcher.executor.submit(on: eventLoop) { dispatcher.readFetch(request) }.whenComplete { outcome in
            self.isReading = false
            guard !self.isDone else { return }
            switch outcome {
            case .success(let result):
                self.lastResult = result
                if result.satisfies(minBytes: self.request.minBytes) || self.isExpired
                    || NIODeadline.now() >= self.deadline
                    || self.dispatcher.node.heldFetches.isShutDown
                {
                    self.finish(result)
                } else {
                    self.wait(observing: result)
                }
            case .failure(let error):
                self.fail(error)
            }
        }
    }

    private func expire() {
        guard !isDone else { return }
        isExpired = true
        // A read in flight finishes the fetch itself once it sees the deadline has passed.
        guard !isReading, let lastResult else { return }
        finish(lastResult)
    }

    private func finish(_ result: FetchReadResult) {
        isDone = true
        cancelRegistration()
        timer?.cancel()
        do {
            promise.succeed(try dispatcher.fetchFrame(result, answering: header))
        } catch {
            promise.fail(error)
        }
    }

    private func fail(_ error: any Error) {
        isDone = true
        cancelRegistration()
        timer?.cancel()
        promise.fail(error)
    }

    private func cancelRegistration() {
        if let registration { dispatcher.node.heldFetches.cancel(registration) }
        registration = nil
    }
}
