import NIOCore
import NIOPosix

/// The 20 ms clock of the calls whose media runs on one event loop.
///
/// A call's media state (`CallMediaLoop`) lives on the event loop of its RTP socket. Each event
/// loop has one clock: a task scheduled at absolute due times (drift-free) that steps every call
/// on the loop in turn, on the loop's own thread. Before, one clock task yielded a `.tick` into
/// every call's `AsyncStream` and each call's task woke up for it: at 1,000 calls that was
/// 50,000 task resumptions and thread hand-offs a second, next to the ones for the packets.
/// Each call's `RTPPacer` still decides what is due from its own start, so a late firing sends
/// the backlog and the calls' phases need not match the clock's.
final class MediaLoopClock {
    /// Tick period: one packet of 20 ms audio.
    static let interval = TimeAmount.milliseconds(20)

    private let eventLoop: any EventLoop
    private var calls: [CallMediaLoop] = []
    private var next: Scheduled<Void>?
    private var due = NIODeadline.now()

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The clock of `eventLoop` (one per loop, made on first use); call on that loop.
    static func on(_ eventLoop: any EventLoop) -> MediaLoopClock {
        let box = ClockSlots.shared.slot(for: eventLoop)
        if let clock = box.value { return clock }
        let clock = MediaLoopClock(eventLoop: eventLoop)
        box.value = clock
        return clock
    }

    /// Steps `call` every 20 ms from the next tick on (its pacer sends what is due).
    func add(_ call: CallMediaLoop) {
        eventLoop.assertInEventLoop()
        calls.append(call)
        if next == nil {
            due = .now()
            schedule()
        }
    }

    /// Stops stepping `call`; the clock stops when no call is left.
    func remove(_ call: CallMediaLoop) {
        eventLoop.assertInEventLoop()
        guard let index = calls.firstIndex(where: { $0 === call }) else { return }
        calls.swapAt(index, calls.count - 1)
        calls.removeLast()
        if calls.isEmpty {
            next?.cancel()
            next = nil
        }
    }

    private func schedule() {
        due = due + Self.interval
        // After a stall longer than a tick, restart from now rather than fire the missed ticks
        // back to back: each call's pacer sends its backlog at the next tick anyway.
        let now = NIODeadline.now()
        if due < now { due = now }
        let this = NIOLoopBound(self, eventLoop: eventLoop)
        next = eventLoop.scheduleTask(deadline: due) { this.value.fire() }
    }

    private func fire() {
        // Stamped when it fired: every call on the loop pops its jitter buffer at this time,
        // against packets stamped when they were read.
        let fired = ContinuousClock.now
        // A call that ends during its tick removes itself: the loop walks the array as it was.
        for call in calls { call.tick(at: fired) }
        if calls.isEmpty { next = nil } else { schedule() }
    }
}

/// One slot per event loop of the media group for its `MediaLoopClock`, only touched on that loop.
private struct ClockSlots: Sendable {
    static let shared = ClockSlots(group: MultiThreadedEventLoopGroup.singleton)

    private let slots: [(loop: any EventLoop, clock: NIOLoopBoundBox<MediaLoopClock?>)]

    private init(group: MultiThreadedEventLoopGroup) {
        slots = group.makeIterator().map { loop in
            (loop, NIOLoopBoundBox.makeEmptyBox(valueType: MediaLoopClock.self, eventLoop: loop))
        }
    }

    /// The slot of `eventLoop` (one of the media group's loops).
    func slot(for eventLoop: any EventLoop) -> NIOLoopBoundBox<MediaLoopClock?> {
        guard let slot = slots.first(where: { $0.loop === eventLoop }) else {
            preconditionFailure("media runs on MultiThreadedEventLoopGroup.singleton")
        }
        return slot.clock
    }
}
