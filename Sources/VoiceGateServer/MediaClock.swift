/// The one 20 ms clock every call's media loop ticks on.
///
/// A call used to run its own ticker task (a `Task.sleep` per call every 20 ms); with 1,000
/// calls that is 1,000 timers and 50,000 extra task wake-ups a second. Here one task sleeps to
/// absolute due times (drift-free) and yields `.tick` to every registered call's event stream.
/// Each call's `RTPPacer` still decides what is due from its own start, so a late firing
/// sends the backlog and the calls' phases need not match the clock's.
actor MediaClock {
    /// The clock every call registers with.
    static let shared = MediaClock()

    /// Tick period: one packet of 20 ms audio.
    static let interval: Duration = .milliseconds(20)

    private var sinks: [UInt64: AsyncStream<MediaEvent>.Continuation] = [:]
    private var nextID: UInt64 = 0
    private var runner: Task<Void, Never>?

    /// Starts sending `.tick` to `sink` every 20 ms; returns the handle for `remove(_:)`.
    func add(_ sink: AsyncStream<MediaEvent>.Continuation) -> UInt64 {
        nextID &+= 1
        sinks[nextID] = sink
        if runner == nil {
            runner = Task { await self.run() }
        }
        return nextID
    }

    /// Stops the ticks of a call (its loop ended); the clock stops when no call is left.
    func remove(_ id: UInt64) {
        sinks[id] = nil
        if sinks.isEmpty {
            runner?.cancel()
            runner = nil
        }
    }

    private func run() async {
        let clock = ContinuousClock()
        var due = clock.now
        while !Task.isCancelled {
            due = due.advanced(by: Self.interval)
            // The actor is free while sleeping: calls come and go between ticks.
            try? await clock.sleep(until: due)
            // Stamped when it fired: a call whose loop is busy pops its jitter buffer at this
            // time, when it gets to the tick, against packets stamped when they were read.
            let fired = clock.now
            for (id, sink) in sinks {
                // A stream whose loop is gone cannot take ticks any more: forget it.
                if case .terminated = sink.yield(.tick(at: fired)) { sinks[id] = nil }
            }
        }
    }
}
