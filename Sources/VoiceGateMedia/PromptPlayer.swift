/// Plays prompt audio into the outbound stream, one 20 ms frame at a time.
///
/// Prompts queue back to back and a frame may hold the end of one prompt and the start of the
/// next, so pacing never stutters between prompts (FIELD.md item 10). Stopping a prompt takes
/// effect on the next frame: barge-in within one frame (FIELD.md item 3). When nothing plays,
/// the frame is silence.
public struct PromptPlayer: Sendable {
    private struct Playback: Sendable {
        let playID: String
        let samples: [Int16]
        var position = 0
    }

    private var queue: [Playback] = []

    /// An idle player.
    public init() {}

    /// The prompt heard now, if any.
    public var playingID: String? { queue.first?.playID }

    /// Whether nothing is playing or queued.
    public var isIdle: Bool { queue.isEmpty }

    /// Queues `samples` under `playID`; it starts when the prompts before it have finished.
    public mutating func enqueue(playID: String, samples: [Int16]) {
        queue.append(Playback(playID: playID, samples: samples))
    }

    /// Stops (or unqueues) `playID`; returns whether it was there.
    @discardableResult
    public mutating func stop(playID: String) -> Bool {
        guard let index = queue.firstIndex(where: { $0.playID == playID }) else { return false }
        queue.remove(at: index)
        return true
    }

    /// Stops everything.
    public mutating func stopAll() { queue.removeAll() }

    /// Fills `frame` with the next samples, silence where no prompt plays, and reports each
    /// prompt that ended within the frame.
    public mutating func render(into frame: UnsafeMutableBufferPointer<Int16>, finished: (String) -> Void) {
        render(into: frame, started: { _, _ in }, finished: finished)
    }

    /// Like `render(into:finished:)`, and also reports each prompt whose first sample is in
    /// the frame, with that sample's index in the frame (for response-latency measurement).
    public mutating func render(into frame: UnsafeMutableBufferPointer<Int16>, started: (String, Int) -> Void,
                                finished: (String) -> Void) {
        var filled = 0
        while filled < frame.count, !queue.isEmpty {
            let take = min(frame.count - filled, queue[0].samples.count - queue[0].position)
            if take > 0, queue[0].position == 0 { started(queue[0].playID, filled) }
            if take > 0 {
                queue[0].samples.withUnsafeBufferPointer { source in
                    for k in 0..<take { frame[filled + k] = source[queue[0].position + k] }
                }
                queue[0].position += take
                filled += take
            }
            if queue[0].position >= queue[0].samples.count {
                let done = queue.removeFirst()
                finished(done.playID)
            }
        }
        for k in filled..<frame.count { frame[k] = 0 }
    }
}
