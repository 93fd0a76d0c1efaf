/// Turns incoming RFC 4733 telephone-event packets into key presses, each exactly once.
///
/// An event is identified by its RTP timestamp (all packets of one key press share the
/// start timestamp, RFC 4733 section 2.5.1). The press is reported as `.began` on the first
/// packet seen for a new timestamp (so barge-in does not wait for the end), and as `.ended`
/// once, on the first end packet; the usual three end-packet retransmissions, repeated
/// updates and reordered stragglers of an event already seen produce nothing. A new
/// timestamp is a new press even with the same key ("11" is two presses). Packets older
/// than the newest event that are not remembered are stale and dropped. A new SSRC starts
/// afresh. Events whose end packets were all lost are ended by `expire(nowMs:)`.
public struct TelephoneEventReceiver: Sendable {
    /// One key press as reported by the sender.
    public struct Press: Sendable, Hashable {
        /// The key (`0`-`9`, `*`, `#`, `A`-`D`).
        public var digit: Character
        /// The RTP timestamp the event started at (its identity).
        public var timestamp: UInt32
        /// Duration in timestamp units (0 in `.began` unless the first packet was already later).
        public var duration: Int
        /// Volume in -dBm0.
        public var volume: UInt8
        /// Arrival time (ms, caller's clock) of the first packet seen.
        public var firstSeenMs: Int64
    }

    /// What a packet (or the passage of time) meant.
    public enum Update: Sendable, Hashable {
        /// A new key press started.
        case began(Press)
        /// A key press ended (`duration` final); `expired` when no end packet arrived in time.
        case ended(Press, expired: Bool)
    }

    private struct Tracked: Sendable {
        var press: Press
        var ended: Bool
        var lastPacketMs: Int64
    }

    /// Milliseconds without packets after which an unfinished event is ended by `expire`.
    public let endTimeoutMs: Int64
    private var ssrc: UInt32?
    private var newestTimestamp: UInt32?
    /// The last few events (oldest first); enough to absorb reordering between neighbours.
    private var recent: [Tracked] = []
    private static let remembered = 8

    /// A receiver ending unfinished events after `endTimeoutMs` of silence (default 500 ms:
    /// ten missed 50 ms updates).
    public init(endTimeoutMs: Int64 = 500) {
        self.endTimeoutMs = endTimeoutMs
        recent.reserveCapacity(Self.remembered + 1)
    }

    /// Handles one telephone-event packet (already known to carry the negotiated event payload
    /// type) that arrived at `arrivalMs`. Returns what changed, usually nothing.
    public mutating func receive(_ packet: RTPPacket, arrivalMs: Int64) -> [Update] {
        guard let event = try? TelephoneEvent(parsing: packet.payload) else { return [] }
        return receive(event, timestamp: packet.timestamp, ssrc: packet.ssrc, arrivalMs: arrivalMs)
    }

    /// Handles one decoded event payload with its packet's RTP `timestamp` and `ssrc`.
    public mutating func receive(_ event: TelephoneEvent, timestamp: UInt32, ssrc: UInt32,
                                 arrivalMs: Int64) -> [Update] {
        if self.ssrc != ssrc {
            self.ssrc = ssrc
            newestTimestamp = nil
            recent.removeAll(keepingCapacity: true)
        }
        if let index = recent.firstIndex(where: { $0.press.timestamp == timestamp }) {
            recent[index].lastPacketMs = max(recent[index].lastPacketMs, arrivalMs)
            recent[index].press.duration = max(recent[index].press.duration, Int(event.duration))
            guard event.isEnd, !recent[index].ended else { return [] }
            recent[index].ended = true
            return [.ended(recent[index].press, expired: false)]
        }
        if let newest = newestTimestamp, RTPSerial.distance(from: newest, to: timestamp) < 0 {
            return []  // a straggler of an event we no longer remember
        }
        if let last = recent.last, !last.ended, last.press.timestamp &+ UInt32(last.press.duration) == timestamp,
           last.press.duration >= 0xFF00, Character?.some(last.press.digit) == event.digit {
            // RFC 4733 section 2.5.1.3: a long event continues under a new timestamp after its
            // duration field overflowed; that is the same press, not a new one.
            recent[recent.count - 1].press.timestamp = timestamp
            recent[recent.count - 1].press.duration = Int(event.duration)
            recent[recent.count - 1].lastPacketMs = arrivalMs
            newestTimestamp = timestamp
            return []
        }
        newestTimestamp = timestamp
        var updates: [Update] = []
        if let last = recent.last, !last.ended {
            recent[recent.count - 1].ended = true
            updates.append(.ended(last.press, expired: true))
        }
        guard let digit = event.digit else { return updates }
        let press = Press(digit: digit, timestamp: timestamp, duration: Int(event.duration),
                          volume: event.volume, firstSeenMs: arrivalMs)
        recent.append(Tracked(press: press, ended: event.isEnd, lastPacketMs: arrivalMs))
        if recent.count > Self.remembered { recent.removeFirst() }
        updates.append(.began(press))
        if event.isEnd { updates.append(.ended(press, expired: false)) }
        return updates
    }

    /// Ends events that have had no packet for `endTimeoutMs` by `nowMs` (their end packets
    /// were lost). Call it from the media tick.
    public mutating func expire(nowMs: Int64) -> [Update] {
        var updates: [Update] = []
        for index in recent.indices where !recent[index].ended
            && nowMs - recent[index].lastPacketMs >= endTimeoutMs {
            recent[index].ended = true
            updates.append(.ended(recent[index].press, expired: true))
        }
        return updates
    }
}
