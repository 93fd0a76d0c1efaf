import VoiceGateDSP

/// Whether an RTP audio payload is silence (or quiet line noise), judged cheaply before it is
/// decoded: the jitter buffer may drop such frames to shrink its delay, never speech.
public enum SilentPayload {
    /// RMS (16-bit units) at or below which a G.711 frame counts as silence: 104, -50 dBFS,
    /// quiet line noise; the softest speech sounds are well above it.
    public static let g711SilenceRMS: Int64 = 104
    /// Largest Opus packet that counts as silence: an encoder's DTX or silence frames are a
    /// few bytes, speech is tens.
    public static let opusSilenceBytes = 3

    /// The codecs it can judge.
    public enum Codec: Sendable, Hashable {
        case pcmu, pcma, opus
        /// Anything else: never silent.
        case other

        /// The codec of an SDP encoding name (PCMU, PCMA, opus; any case).
        public init(sdpName: String) {
            switch sdpName.uppercased() {
            case "PCMU": self = .pcmu
            case "PCMA": self = .pcma
            case "OPUS": self = .opus
            default: self = .other
            }
        }
    }

    /// True when `payload` of `codec` is silence.
    public static func isSilent(_ payload: [UInt8], codec: Codec) -> Bool {
        switch codec {
        case .pcmu: return isQuiet(payload, decode: G711.ulawDecode)
        case .pcma: return isQuiet(payload, decode: G711.alawDecode)
        case .opus: return payload.count <= opusSilenceBytes
        case .other: return false
        }
    }

    private static func isQuiet(_ payload: [UInt8], decode: (UInt8) -> Int16) -> Bool {
        var energy: Int64 = 0
        for code in payload {
            let sample = Int64(decode(code))
            energy += sample * sample
        }
        return energy <= g711SilenceRMS * g711SilenceRMS * Int64(payload.count)
    }
}
