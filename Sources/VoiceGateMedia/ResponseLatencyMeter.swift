/// Measures how long a caller waits for an answer: from the end of their input (a key, or
/// the last speech frame of an utterance) to the first audio of the prompt that answers it.
///
/// The answer is the first prompt asked for after the input, whenever it starts: the wait
/// then includes the endpointer's trailing silence, recognition, a bank lookup, rendering
/// and any prompt still playing ahead of it, which is what the caller hears as the delay.
/// A no-input (the engine decided the caller is silent) cancels the wait, so a reprompt is
/// not an answer; a new input restarts it. All times are the session's milliseconds.
public struct ResponseLatencyMeter: Sendable, Equatable {
    /// When the input awaiting an answer ended.
    private var inputEndMs: Int64?
    /// The prompt that answers it, once asked for.
    private var answerPlayID: String?
    /// Measured and not yet taken.
    private var measuredMs: Int64?

    /// A meter waiting for nothing.
    public init() {}

    /// The caller's input ended at `atMs`.
    public mutating func inputEnded(atMs: Int64) {
        inputEndMs = atMs
        answerPlayID = nil
    }

    /// A prompt was asked for; the first after an input is its answer.
    public mutating func promptRequested(playID: String) {
        if inputEndMs != nil, answerPlayID == nil { answerPlayID = playID }
    }

    /// A prompt was stopped before or while playing: if it was the answer, there is none.
    public mutating func promptStopped(playID: String) {
        guard answerPlayID == playID else { return }
        inputEndMs = nil
        answerPlayID = nil
    }

    /// The caller was judged silent: nothing is awaiting an answer.
    public mutating func noInput() {
        inputEndMs = nil
        answerPlayID = nil
    }

    /// `playID`'s first sample went out at `atMs`.
    public mutating func promptStarted(playID: String, atMs: Int64) {
        guard let start = inputEndMs, answerPlayID == playID else { return }
        measuredMs = max(0, atMs - start)
        inputEndMs = nil
        answerPlayID = nil
    }

    /// The last latency measured, once (nil when none since the last call).
    public mutating func take() -> Int64? {
        defer { measuredMs = nil }
        return measuredMs
    }
}
