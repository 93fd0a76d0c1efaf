public import SIPCore
import VoiceGateCodecs

/// The codec instance a call's media loop uses for what SDP negotiated. Every codec works on
/// the front end's 8 kHz PCM: G.711 natively, Opus through libopus, which decodes any Opus
/// stream straight to 8 kHz and encodes 8 kHz prompts (narrowband: prompts hold nothing above
/// 4 kHz, so resampling them to 48 kHz first would add bits, not sound). RTP timestamps still
/// run at the codec clock (48 kHz for Opus: 960 per 20 ms packet, RFC 7587 4.1).
public enum CallCodec {
    /// Bitrate for narrowband Opus speech (RFC 7587 3.1.1 suggests 8–12 kb/s for NB; a little
    /// more keeps prompts clean), capped by the caller's `maxaveragebitrate`.
    static let opusBitrate = 16_000

    /// A fresh codec for `negotiated` producing and consuming 8 kHz mono PCM.
    /// Opus honours the caller's fmtp (what it wants to receive): in-band FEC when
    /// `useinbandfec=1`, at most `maxaveragebitrate`; mono always (stereo=0, or no gain from
    /// stereo for a telephone prompt); `maxplaybackrate` is met by encoding narrowband.
    static func make(for negotiated: NegotiatedCodec) throws(CodecError) -> any AudioCodec {
        if let opus = negotiated.opusSendParameters {
            let bitrate = min(opusBitrate, max(6000, opus.maxAverageBitrate ?? opusBitrate))
            return try OpusCodec(pcmSampleRate: 8000, payloadType: negotiated.payloadType, bitrate: bitrate,
                                 complexity: 5, inbandFEC: opus.useInbandFEC)
        }
        let law: G711Codec.Law = negotiated.name.uppercased() == "PCMA" ? .alaw : .ulaw
        return G711Codec(law: law)
    }

    /// The codecs `voicegate serve --codecs` names (`pcmu`, `pcma`, `opus`), in order; nil for an
    /// unknown name or an empty list.
    public static func parseList(_ text: String) -> [SDPCodec]? {
        var codecs: [SDPCodec] = []
        for name in text.split(separator: ",") {
            switch String(name.filter { $0 != " " }).lowercased() {
            case "pcmu": codecs.append(.pcmu)
            case "pcma": codecs.append(.pcma)
            case "opus": codecs.append(.opus)
            default: return nil
            }
        }
        return codecs.isEmpty || Set(codecs).count != codecs.count ? nil : codecs
    }
}
