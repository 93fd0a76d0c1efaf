/// What the engine asks the driver (SIP call, simulator, console) to do, in order.
public enum DialogAction: Sendable, Equatable {
    /// Play `segments` in `language`. `bargeIn` says whether a keyword or digit may stop
    /// it; `slow` asks for a slower rate (assisted callers). Report the end with
    /// `promptFinished(playID:)`.
    case play(playID: String, segments: [PromptSegment], language: Language, bargeIn: Bool, slow: Bool)
    /// Stop the prompt that plays now (barge-in); no `promptFinished` is expected for it.
    case stopPlayback(playID: String)
    /// Fire `timerFired(id)` after `afterMs` milliseconds unless cancelled.
    case startTimer(DialogTimerID, afterMs: Int64)
    /// Cancel a timer; a late `timerFired` for it is ignored anyway.
    case cancelTimer(DialogTimerID)
    /// Ask the bank backend; answer with `backendResult`.
    case lookup(BackendRequest)
    /// Hand the call to an agent queue with the context (the engine is done with the call).
    case transfer(queue: String, reason: String, priority: Int, context: TransferContext)
    /// End the call.
    case hangUp
    /// Store a trace event (CallRecorder, simulator trace).
    case record(TraceEvent)
}
