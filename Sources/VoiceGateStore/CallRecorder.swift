public import Foundation
public import VoiceGateDialog

/// The gateway's writer into the records: every method returns at once (it only enqueues),
/// and one task applies the commands to the `CallStore` in order, so neither the SIP loop
/// nor a call's 20 ms media loop ever waits for the disk.
///
/// Durability: a call's row is written as soon as it starts; its events are flushed every
/// `flushInterval` (200 ms by default) and at once on a transfer (the agent needs the
/// context); its end is written with its remaining events in one transaction. A crash loses
/// at most the last `flushInterval` of calls still running, never a finished call: the
/// gateway answers a caller's BYE only once `endWritten(callID:)` says the end is in SQLite.
///
/// A call ends for the records when its media loop ended (`mediaEnded`), except a transfer:
/// that waits for the SIP side (`transferResolved`, then `sipEnded`) to know whether the
/// transfer worked. The outcome follows `OutcomeRule`.
public final class CallRecorder: Sendable {
    enum Command: Sendable {
        case started(CallStart)
        case event(callID: String, TraceEvent)
        case mediaEnded(callID: String, detail: String?, at: Date)
        case transferResolved(callID: String, failed: Bool, detail: String)
        case sipEnded(callID: String, detail: String, at: Date)
        case tick
        case flush(CheckedContinuation<Void, Never>)
        case endWritten(callID: String, CheckedContinuation<Void, Never>)
    }

    private let sink: AsyncStream<Command>.Continuation
    private let worker: Task<Void, Never>
    private let ticker: Task<Void, Never>
    /// The store written to (readers may use it too).
    public let store: CallStore

    /// Starts the writer task. `problem` gets a one-line description of every failed write
    /// (the recorder never stops the gateway; a failed write loses only what it carried).
    public init(store: CallStore, flushInterval: Duration = .milliseconds(200),
                problem: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        let (commands, sink) = AsyncStream<Command>.makeStream(bufferingPolicy: .unbounded)
        self.sink = sink
        worker = Task {
            var writer = RecorderState(store: store, problem: problem)
            for await command in commands { await writer.apply(command) }
            await writer.flushEvents()
            writer.releaseEndWaiters()
        }
        ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: flushInterval)
                sink.yield(.tick)
            }
        }
    }

    /// The call's dialog started: its row is written now.
    public func callStarted(_ call: CallStart) { sink.yield(.started(call)) }

    /// One trace event of a started call.
    public func record(callID: String, _ event: TraceEvent) { sink.yield(.event(callID: callID, event)) }

    /// The call's media loop ended (`detail`: why, e.g. `media timeout`, nil when SIP closed it).
    public func mediaEnded(callID: String, detail: String? = nil, at: Date = Date()) {
        sink.yield(.mediaEnded(callID: callID, detail: detail, at: at))
    }

    /// SIP reported how the transfer ended (`failed`: REFER refused, timed out, non-2xx NOTIFY).
    public func transferResolved(callID: String, failed: Bool, detail: String) {
        sink.yield(.transferResolved(callID: callID, failed: failed, detail: detail))
    }

    /// The SIP dialog ended (BYE sent or received), with the reason the controller gives.
    public func sipEnded(callID: String, detail: String, at: Date = Date()) {
        sink.yield(.sipEnded(callID: callID, detail: detail, at: at))
    }

    /// Returns once everything enqueued so far is in SQLite.
    public func flush() async {
        await withCheckedContinuation { continuation in
            if case .terminated = sink.yield(.flush(continuation)) { continuation.resume() }
        }
    }

    /// Returns once the call's end is in SQLite (its transaction committed, or failed and
    /// reported), or at once when the recorder has no unfinished call of that id. The
    /// gateway holds the 200 to a caller's BYE on this, so a crash right after the caller saw
    /// the call end cannot lose its record. Waiting has no time limit: callers bound it.
    public func endWritten(callID: String) async {
        await withCheckedContinuation { continuation in
            // A closed recorder writes nothing more: nothing to wait for.
            if case .terminated = sink.yield(.endWritten(callID: callID, continuation)) { continuation.resume() }
        }
    }

    /// Flushes and stops the writer; calls still running stay open (marked `interrupted`
    /// when the store is opened next with `recoverOpenCalls`).
    public func close() async {
        ticker.cancel()
        sink.finish()
        await worker.value
    }
}

/// The writer task's state: calls in progress and events not yet written.
struct RecorderState {
    /// What the recorder knows about a call that has not ended yet.
    struct Progress {
        var engineOutcome: CallOutcome?
        var transferReason: String?
        var transferFailed = false
        var transferDetail: String?
        var mediaEnded = false
        var mediaDetail: String?
        var language: String?
    }

    let store: CallStore
    let problem: @Sendable (String) -> Void
    var calls: [String: Progress] = [:]
    /// Events not yet written, per call, and the calls in first-event order.
    var pending: [String: [TraceEvent]] = [:]
    var order: [String] = []
    /// Who waits for a call's end to be written (`CallRecorder.endWritten`).
    var endWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(store: CallStore, problem: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.problem = problem
    }

    mutating func apply(_ command: CallRecorder.Command) async {
        switch command {
        case .started(let call):
            guard calls[call.callID] == nil else { return }
            do {
                try await store.begin(call)
                calls[call.callID] = Progress(language: call.language)
            } catch {
                problem("cannot record the start of call \(call.callID): \(error)")
            }
        case let .event(callID, event):
            guard var progress = calls[callID] else { return }
            switch event.detail {
            case let .prompt(_, language, _, _): progress.language = language.rawValue
            case .hangup(_, let outcome): progress.engineOutcome = outcome
            case let .transfer(_, reason, _, _): progress.transferReason = reason
            default: break
            }
            calls[callID] = progress
            if pending[callID] == nil { order.append(callID) }
            pending[callID, default: []].append(event)
            if case let .transfer(queue, reason, priority, context) = event.detail {
                let events = takePending(callID)
                do {
                    try await store.recordTransfer(callID: callID, queue: queue, reason: reason, priority: priority,
                                                   context: context, at: Date(), events: events)
                } catch {
                    problem("cannot record the transfer of call \(callID): \(error)")
                }
            }
        case let .mediaEnded(callID, detail, at):
            guard var progress = calls[callID] else { return }
            progress.mediaEnded = true
            progress.mediaDetail = detail
            calls[callID] = progress
            if progress.engineOutcome != .transferred {
                await finish(callID, at: at, detail: detail)
            }
        case let .transferResolved(callID, failed, detail):
            guard var progress = calls[callID] else { return }
            progress.transferFailed = failed
            progress.transferDetail = detail
            calls[callID] = progress
        case let .sipEnded(callID, detail, at):
            // Only a transfer waits for SIP; other calls ended with their media loop.
            guard let progress = calls[callID], progress.mediaEnded, progress.engineOutcome == .transferred else { return }
            await finish(callID, at: at, detail: progress.transferDetail ?? detail)
        case .tick:
            await flushEvents()
        case .flush(let continuation):
            await flushEvents()
            continuation.resume()
        case let .endWritten(callID, continuation):
            if calls[callID] == nil {
                continuation.resume()  // finished already, or never started in the records
            } else {
                endWaiters[callID, default: []].append(continuation)
            }
        }
    }

    /// Lets every waiter go (the writer stops; nothing more will be written).
    mutating func releaseEndWaiters() {
        for waiters in endWaiters.values { for waiter in waiters { waiter.resume() } }
        endWaiters = [:]
    }

    mutating func takePending(_ callID: String) -> [TraceEvent] {
        order.removeAll { $0 == callID }
        return pending.removeValue(forKey: callID) ?? []
    }

    /// Writes every pending event in one transaction.
    mutating func flushEvents() async {
        guard !order.isEmpty else { return }
        let batch = order.map { (callID: $0, events: pending[$0] ?? []) }
        order = []
        pending = [:]
        do {
            try await store.append(batch)
        } catch {
            problem("cannot record \(batch.reduce(0) { $0 + $1.events.count }) event(s): \(error)")
        }
    }

    mutating func finish(_ callID: String, at: Date, detail: String?) async {
        guard let progress = calls.removeValue(forKey: callID) else { return }
        let outcome = OutcomeRule.outcome(engine: progress.engineOutcome, transferFailed: progress.transferFailed)
        let end = CallEnd(endedAt: at, outcome: outcome, transferReason: progress.transferReason, detail: detail,
                          language: progress.language)
        do {
            try await store.finish(callID: callID, end: end, events: takePending(callID))
        } catch {
            problem("cannot record the end of call \(callID): \(error)")
        }
        for waiter in endWaiters.removeValue(forKey: callID) ?? [] { waiter.resume() }
    }
}
