public import VoiceGateDialog

/// Renders a real-time call's prompts off its 20 ms loop, one at a time and in the order the
/// session asked, and hands each result back through `deliver` (the loop's event stream).
/// Used by every real-time driver (SIP calls, the sound-card console); the offline simulator
/// renders inline instead.
public struct PromptRenderWorker: Sendable {
    /// What came of a render.
    public enum Outcome: Sendable {
        /// The prompt's audio at the call's rate.
        case rendered(playID: String, samples: [Int16])
        /// It could not be rendered; the session should count it as played.
        case failed(playID: String, problem: String)
    }

    private struct Job: Sendable {
        var playID: String
        var segments: [PromptSegment]
        var language: Language
        var slow: Bool
    }

    private let jobs: AsyncStream<Job>.Continuation
    private let task: Task<Void, Never>

    /// Starts a worker rendering through `source` at `sampleRate`.
    public init(source: any PromptAudioSource, sampleRate: Int, deliver: @escaping @Sendable (Outcome) -> Void) {
        let (stream, continuation) = AsyncStream<Job>.makeStream()
        jobs = continuation
        task = Task {
            for await job in stream {
                do {
                    let audio = try await source.audio(for: job.segments, language: job.language, slow: job.slow,
                                                       sampleRate: sampleRate)
                    deliver(.rendered(playID: job.playID, samples: audio))
                } catch {
                    deliver(.failed(playID: job.playID, problem: "\(error)"))
                }
            }
        }
    }

    /// Queues a `SessionRequest.render`'s prompt.
    public func submit(playID: String, segments: [PromptSegment], language: Language, slow: Bool) {
        jobs.yield(Job(playID: playID, segments: segments, language: language, slow: slow))
    }

    /// Stops rendering (at call end); pending jobs are dropped.
    public func stop() {
        jobs.finish()
        task.cancel()
    }
}
