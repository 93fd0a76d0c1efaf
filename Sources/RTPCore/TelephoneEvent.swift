/// The 4-byte payload of an RFC 4733 telephone-event packet (section 2.3): event code,
/// end bit, volume and duration.
public struct TelephoneEvent: Sendable, Hashable {
    /// The event code: 0-9 digits, 10 `*`, 11 `#`, 12-15 `A`-`D`, 16 flash (RFC 4733 section 3.2).
    public var event: UInt8
    /// The E bit: this packet reports the end of the event.
    public var isEnd: Bool
    /// The power level in -dBm0 (0...63); meaningful for DTMF only.
    public var volume: UInt8
    /// The duration so far, in timestamp units from the event's start timestamp.
    public var duration: UInt16

    /// The payload length in bytes.
    public static let length = 4

    /// An event payload with the given fields (volume is masked to 6 bits).
    public init(event: UInt8, isEnd: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Decodes the first 4 bytes of `payload` (extra bytes, e.g. a redundancy block, are
    /// ignored; the reserved R bit is ignored as the RFC requires).
    public init(parsing payload: [UInt8]) throws(TelephoneEventError) {
        guard payload.count >= Self.length else { throw .tooShort(length: payload.count) }
        self.event = payload[0]
        self.isEnd = payload[1] & 0x80 != 0
        self.volume = payload[1] & 0x3F
        self.duration = UInt16(payload[2]) << 8 | UInt16(payload[3])
    }

    /// The 4-byte wire form.
    public var bytes: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }

    /// The DTMF key of this event (`0`-`9`, `*`, `#`, `A`-`D`), nil for other events.
    public var digit: Character? { Self.digit(forEvent: event) }

    /// The DTMF key for an event code, nil if the code is not a DTMF key.
    public static func digit(forEvent event: UInt8) -> Character? {
        switch event {
        case 0...9: return Character(String(event))
        case 10: return "*"
        case 11: return "#"
        case 12...15: return Character(UnicodeScalar(UInt8(ascii: "A") + event - 12))
        default: return nil
        }
    }

    /// The event code for a DTMF key (`0`-`9`, `*`, `#`, `A`-`D`, case-insensitive), nil otherwise.
    public static func event(forDigit digit: Character) -> UInt8? {
        switch digit {
        case "0"..."9": return digit.asciiValue.map { $0 - UInt8(ascii: "0") }
        case "*": return 10
        case "#": return 11
        case "A"..."D": return digit.asciiValue.map { $0 - UInt8(ascii: "A") + 12 }
        case "a"..."d": return digit.asciiValue.map { $0 - UInt8(ascii: "a") + 12 }
        default: return nil
        }
    }
}

/// Why a payload is not a telephone event.
public enum TelephoneEventError: Error, Sendable, Hashable {
    /// Fewer than 4 bytes.
    case tooShort(length: Int)
}
