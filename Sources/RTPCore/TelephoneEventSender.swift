/// The packet schedule for sending one key press as RFC 4733 events (section 2.5.1): a start
/// packet with the marker bit, an update every 50 ms carrying the growing duration, and the
/// end packet sent three times, all with the event's start timestamp.
public struct TelephoneEventSender: Sendable {
    /// One packet to send `offsetMs` after the press started.
    public struct ScheduledPacket: Sendable, Hashable {
        /// When to send it, relative to the start of the press.
        public var offsetMs: Int
        /// The marker bit (only on the first packet).
        public var marker: Bool
        /// The event payload.
        public var event: TelephoneEvent
    }

    /// Milliseconds between updates (RFC 4733 suggests 50 ms for DTMF).
    public let updateIntervalMs: Int
    /// How many times the end packet is sent (3 per RFC 4733 section 2.5.1.4).
    public let endRepeats: Int
    /// Interval between the repeated end packets (one packetisation interval).
    public let endRepeatIntervalMs: Int

    /// A sender with the usual 50 ms updates and three end packets 20 ms apart.
    public init(updateIntervalMs: Int = 50, endRepeats: Int = 3, endRepeatIntervalMs: Int = 20) {
        precondition(updateIntervalMs > 0 && endRepeats > 0 && endRepeatIntervalMs >= 0)
        self.updateIntervalMs = updateIntervalMs
        self.endRepeats = endRepeats
        self.endRepeatIntervalMs = endRepeatIntervalMs
    }

    /// The packets for `digit` held `durationMs` at `clockRate`, or nil if it is not a DTMF key.
    /// Send each through `RTPSender.packet(payloadType:payload:timestamp:marker:)` with the
    /// media timestamp at the start of the press, and keep the media clock running with
    /// `RTPSender.skip(samples:)`.
    public func packets(digit: Character, durationMs: Int = 100, volume: UInt8 = 10,
                        clockRate: Int = 8000) -> [ScheduledPacket]? {
        guard let code = TelephoneEvent.event(forDigit: digit) else { return nil }
        let totalMs = max(durationMs, 1)
        func units(_ ms: Int) -> UInt16 {
            UInt16(clamping: ms * clockRate / 1000)
        }
        var packets: [ScheduledPacket] = []
        var at = 0
        while at < totalMs {
            packets.append(ScheduledPacket(offsetMs: at, marker: at == 0,
                                           event: TelephoneEvent(event: code, volume: volume, duration: units(at))))
            at += updateIntervalMs
        }
        for repeatIndex in 0..<endRepeats {
            packets.append(ScheduledPacket(
                offsetMs: totalMs + repeatIndex * endRepeatIntervalMs, marker: false,
                event: TelephoneEvent(event: code, isEnd: true, volume: volume, duration: units(totalMs))))
        }
        return packets
    }
}
