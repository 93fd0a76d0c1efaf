/// Merges key presses reported by several sources so one press is counted once.
///
/// A digit can reach the gateway three ways: RFC 4733 events, SIP INFO (application/dtmf-relay)
/// and the in-band tone detector on the decoded audio. Many carriers send RFC 4733 *and* leave
/// the tone in the audio, and some PBXs send INFO as well. Rule: an observation is the same
/// press as an already accepted one when it has the same key, comes from a *different* source
/// that has not yet been merged into that press, and its span overlaps the press's span
/// widened by `windowMs` on both sides (spans are on one media clock in milliseconds; an
/// INFO without timing uses its arrival time and its Duration). Two observations from the
/// same source are always two presses (each source already de-duplicates its own packets), so
/// "1 1" typed quickly stays two digits. Accepted presses older than `horizonMs` are forgotten.
public struct DigitDeduplicator: Sendable {
    /// Where a key press was seen.
    public enum Source: Sendable, Hashable {
        /// RFC 4733 telephone-event packets.
        case rfc4733
        /// SIP INFO with a DTMF body.
        case sipInfo
        /// The in-band Goertzel detector.
        case inBand
    }

    /// One report of a key press.
    public struct Observation: Sendable, Hashable {
        /// The key.
        public var digit: Character
        /// Who saw it.
        public var source: Source
        /// Start of the press in ms on the call's media clock.
        public var startMs: Int64
        /// End of the press (start when unknown, e.g. an RFC 4733 start packet).
        public var endMs: Int64

        /// An observation of `digit` from `source` over `startMs...endMs`.
        public init(digit: Character, source: Source, startMs: Int64, endMs: Int64? = nil) {
            self.digit = digit
            self.source = source
            self.startMs = startMs
            self.endMs = max(startMs, endMs ?? startMs)
        }
    }

    private struct Press: Sendable {
        var digit: Character
        var startMs: Int64
        var endMs: Int64
        var sources: Set<Source>
    }

    /// Tolerance added to both ends of a press when matching (sources differ in latency and in
    /// where they put the start: the tone detector needs ~40 ms, INFO is timed on arrival).
    public let windowMs: Int64
    /// How long accepted presses are remembered.
    public let horizonMs: Int64
    private var presses: [Press] = []

    /// A deduplicator with a 200 ms window, remembering presses for 5 s.
    public init(windowMs: Int64 = 200, horizonMs: Int64 = 5000) {
        self.windowMs = windowMs
        self.horizonMs = horizonMs
    }

    /// Offers an observation; returns true if it is a new press (pass it to the dialog), false
    /// if it is another source's view of a press already accepted.
    public mutating func accept(_ observation: Observation) -> Bool {
        presses.removeAll { $0.endMs + horizonMs < observation.startMs }
        // Of the matching presses, the one starting nearest: a quick "1 1" seen fully by one
        // source and partly by another pairs each view with its own press.
        let matching = presses.indices.filter { index in
            let press = presses[index]
            return press.digit == observation.digit && !press.sources.contains(observation.source)
                && observation.startMs <= press.endMs + windowMs && observation.endMs >= press.startMs - windowMs
        }
        if let index = matching.min(by: { abs(presses[$0].startMs - observation.startMs)
                                            < abs(presses[$1].startMs - observation.startMs) }) {
            presses[index].sources.insert(observation.source)
            presses[index].startMs = min(presses[index].startMs, observation.startMs)
            presses[index].endMs = max(presses[index].endMs, observation.endMs)
            return false
        }
        presses.append(Press(digit: observation.digit, startMs: observation.startMs, endMs: observation.endMs,
                             sources: [observation.source]))
        return true
    }

    /// Extends an accepted press when its source reports the end later (e.g. RFC 4733 end
    /// packet after the start was accepted), so late duplicates from other sources still match.
    public mutating func extend(digit: Character, source: Source, startMs: Int64, endMs: Int64) {
        if let index = presses.lastIndex(where: { $0.digit == digit && $0.sources.contains(source)
                                                  && $0.startMs <= startMs + windowMs && $0.endMs >= startMs - windowMs }) {
            presses[index].endMs = max(presses[index].endMs, endMs)
        }
    }
}
