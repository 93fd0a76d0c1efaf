import NIOCore
import NIOPosix

/// The 20 ms clock of the calls whose media runs on one event loop.
///
/// A call's media state (`CallMediaLoop`) lives on the event loop of its RTP socket. Each event
/// loop has one clock: a task scheduled at absolute due times (drift-free) that steps the calls
/// on the loop, on the loop's own thread. Before, one clock task yielded a `.tick` into every
/// call's `AsyncStream` and each call's task woke up for it: at 1,000 calls that was 50,000 task
/// resumptions and thread hand-offs a second, next to the ones for the packets.
///
/// The calls are spread over `phases` groups, stepped in turn every `slot` (5 ms), so each call
/// is still stepped every 20 ms. Why not all at once: at 1,000 calls a loop's 500 calls take
/// several milliseconds to step, and while that burst runs the loop reads no packet, so the
/// next tick and the packets behind the burst come late by a varying amount. Four bursts of a
/// quarter of the calls keep each one short and let the reads in between: at 1,000 loopback
/// calls on an idle 2-core machine, outbound pacing p99 went from 3.0-8.6 ms (median 5.2, one
/// burst) to 3.3-4.8 ms (median 4.0; BENCHMARKS.md). A new call joins the smallest group; a
/// call that leaves keeps the others' order, so no call's send time within its slot moves.
/// Each call's `RTPPacer` still decides what is due from its own start, so a late firing sends
/// the backlog and the calls' phases need not match the clock's.
final class MediaLoopClock {
    /// Tick period of one call: one packet of 20 ms audio.
    static let interval = TimeAmount.milliseconds(20)
    /// How many groups the loop's calls are spread over, each stepped in its own slot.
    static let phases = 4
    /// The clock's firing period: `interval` / `phases`.
    static let slot = TimeAmount.nanoseconds(interval.nanoseconds / Int64(phases))
    /// Lateness after which missed slots are skipped rather than fired back to back.
    static let longStall = TimeAmount.milliseconds(200)

    private let eventLoop: any EventLoop
    private var groups: [[CallMediaLoop]] = Array(repeating: [], count: phases)
    private var callCount = 0
    private var phase = 0
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

    /// Steps `call` every 20 ms from its group's next slot on (its pacer sends what is due).
    func add(_ call: CallMediaLoop) {
        eventLoop.assertInEventLoop()
        var smallest = 0
        for index in groups.indices where groups[index].count < groups[smallest].count { smallest = index }
        groups[smallest].append(call)
        callCount += 1
        if next == nil {
            due = .now()
            schedule()
        }
    }

    /// Stops stepping `call`; the clock stops when no call is left.
    func remove(_ call: CallMediaLoop) {
        eventLoop.assertInEventLoop()
        for group in groups.indices {
            guard let index = groups[group].firstIndex(where: { $0 === call }) else { continue }
            groups[group].remove(at: index)
            callCount -= 1
            break
        }
        if callCount == 0 {
            next?.cancel()
            next = nil
        }
    }

    private func schedule() {
        due = due + Self.slot
        // Late slots fire back to back, on the original grid: restarting the grid from "now" after
        // every late firing moved every call's steps against its pacer, and each move by half a
        // frame made one step send nothing and the next two frames (a 20 ms pacing error). Only
        // after a long stall (a starved process) are whole 20 ms periods skipped, still on the
        // grid; each call's pacer then sends its backlog at its next step.
        let behind = NIODeadline.now() - due
        if behind > Self.longStall {
            due = due + .nanoseconds(behind.nanoseconds / Self.interval.nanoseconds * Self.interval.nanoseconds)
        }
        let this = NIOLoopBound(self, eventLoop: eventLoop)
        next = eventLoop.scheduleTask(deadline: due) { this.value.fire() }
    }

    private func fire() {
        // Stamped when it fired: every call of the group pops its jitter buffer at this time,
        // against packets stamped when they were read.
        let fired = ContinuousClock.now
        let group = groups[phase]
        phase = (phase + 1) % Self.phases
        // A call that ends during its step removes itself: the loop walks the group as it was.
        for call in group { call.tick(at: fired) }
        if callCount == 0 { next = nil } else { schedule() }
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
