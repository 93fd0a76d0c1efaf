import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDSP

/// Which frames the jitter buffer may drop to shrink its delay: silence and quiet line noise,
/// never speech.
@Suite struct SilentPayloadTests {
    /// 160 samples of a 440 Hz tone at `amplitude`, G.711-coded.
    static func frame(amplitude: Double, law: G711Codec.Law) -> [UInt8] {
        (0..<160).map { i in
            let x = Int16((amplitude * sin(2 * Double.pi * 440 * Double(i) / 8000)).rounded())
            return law == .ulaw ? G711.ulawEncode(x) : G711.alawEncode(x)
        }
    }

    @Test(arguments: [G711Codec.Law.ulaw, .alaw])
    func quietFramesAreSilentAndSoftSpeechIsNot(law: G711Codec.Law) {
        let codec: SilentPayload.Codec = law == .ulaw ? .pcmu : .pcma
        #expect(SilentPayload.isSilent(Self.frame(amplitude: 0, law: law), codec: codec))
        // -60 dBFS line noise level (RMS ~23 of 32768).
        #expect(SilentPayload.isSilent(Self.frame(amplitude: 33, law: law), codec: codec))
        // A soft sound at -40 dBFS RMS (peak ~460) is not.
        #expect(!SilentPayload.isSilent(Self.frame(amplitude: 460, law: law), codec: codec))
        #expect(!SilentPayload.isSilent(Self.frame(amplitude: 8000, law: law), codec: codec))
    }

    @Test func codecsByName() {
        #expect(SilentPayload.Codec(sdpName: "pcmu") == .pcmu && SilentPayload.Codec(sdpName: "PCMA") == .pcma)
        #expect(SilentPayload.Codec(sdpName: "opus") == .opus && SilentPayload.Codec(sdpName: "G722") == .other)
        #expect(SilentPayload.isSilent([0xF8], codec: .opus) && !SilentPayload.isSilent([UInt8](repeating: 7, count: 40), codec: .opus))
        #expect(!SilentPayload.isSilent([UInt8](repeating: 0xFF, count: 160), codec: .other))
    }
}
