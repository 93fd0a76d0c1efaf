import Testing
import VoiceGateCodecs
import VoiceGateDSP

@Suite struct G711CodecTests {
    @Test func describesItselfForSDP() {
        let pcmu = G711Codec(law: .ulaw), pcma = G711Codec(law: .alaw)
        #expect(pcmu.name == "PCMU" && pcmu.payloadType == .static(0) && pcmu.payloadType.number == 0)
        #expect(pcma.name == "PCMA" && pcma.payloadType == .static(8) && !pcma.payloadType.isDynamic)
        #expect(pcmu.rtpmap == "PCMU/8000" && pcma.rtpmap == "PCMA/8000")
        #expect(pcmu.clockRate == 8000 && pcmu.pcmSampleRate == 8000 && pcmu.channels == 1)
        #expect(pcmu.samplesPerFrame == 160 && pcmu.timestampIncrement == 160)
        #expect(G711Codec(law: .ulaw, payloadType: .dynamic(100)).payloadType.number == 100)
    }

    @Test(arguments: [G711Codec.Law.ulaw, .alaw])
    func roundTripMatchesTheCompandingFunctions(law: G711Codec.Law) throws {
        var codec = G711Codec(law: law)
        let pcm = Signals.tone(1000, rate: 8000, count: 160)
        var payload = [UInt8](repeating: 0, count: 160)
        var decoded = [Int16](repeating: 0, count: 160)
        let bytes = try pcm.withUnsafeBufferPointer { p in
            try payload.withUnsafeMutableBufferPointer { try codec.encode(p, into: $0) }
        }
        let samples = try payload.withUnsafeBufferPointer { p in
            try decoded.withUnsafeMutableBufferPointer { try codec.decode(p, into: $0) }
        }
        #expect(bytes == 160 && samples == 160)
        let encode: (Int16) -> UInt8 = law == .ulaw ? { G711.ulawEncode($0) } : { G711.alawEncode($0) }
        let decode: (UInt8) -> Int16 = law == .ulaw ? { G711.ulawDecode($0) } : { G711.alawDecode($0) }
        #expect(payload == pcm.map(encode))
        #expect(decoded == payload.map(decode))
        #expect(Signals.snr(pcm, decoded, range: 0..<160, lag: 0) > 30)  // G.711 gives ~38 dB on a loud tone
    }

    @Test func tooSmallBuffersThrowInsteadOfTrapping() {
        var codec = G711Codec(law: .alaw)
        let pcm = [Int16](repeating: 0, count: 160)
        var small = [UInt8](repeating: 0, count: 80)
        #expect(throws: CodecError.outputBufferTooSmall(needed: 160, available: 80)) {
            try pcm.withUnsafeBufferPointer { p in try small.withUnsafeMutableBufferPointer { try codec.encode(p, into: $0) } }
        }
        var smallPCM = [Int16](repeating: 0, count: 10)
        #expect(throws: CodecError.self) {
            try small.withUnsafeBufferPointer { p in try smallPCM.withUnsafeMutableBufferPointer { try codec.decode(p, into: $0) } }
        }
        #expect(throws: CodecError.outputBufferTooSmall(needed: 160, available: 10)) {
            try smallPCM.withUnsafeMutableBufferPointer { try codec.concealLoss(into: $0) }
        }
    }

    /// Concealment repeats the last frame, fading to comfort noise over 50 ms; a new packet restarts cleanly.
    @Test func concealmentRepeatsThenFadesToComfortNoise() throws {
        var codec = G711Codec(law: .ulaw, comfortNoiseAmplitude: 8)
        let tone = Signals.tone(440, rate: 8000, count: 160, amplitude: 10000)
        let payload = tone.map { G711.ulawEncode($0) }
        var frame = [Int16](repeating: 0, count: 160)
        _ = try payload.withUnsafeBufferPointer { p in try frame.withUnsafeMutableBufferPointer { try codec.decode(p, into: $0) } }
        let last = frame

        var concealed: [[Int16]] = []
        for _ in 0..<5 {
            var out = [Int16](repeating: 0, count: 200)  // larger than a frame: only one frame is written
            let n = try out.withUnsafeMutableBufferPointer { try codec.concealLoss(into: $0) }
            #expect(n == 160)
            concealed.append(Array(out[0..<n]))
        }
        // First lost frame: the last frame, attenuated at most to 60 % by its end, plus tiny noise.
        #expect(Signals.correlation(last, concealed[0], range: 0..<160, lag: 0) > 0.95)
        #expect(abs(Int(concealed[0][0]) - Int(last[0])) <= 8 + 1)
        let levels = concealed.map { Signals.rms($0) }
        #expect(levels[0] > 0.7 * Signals.rms(last) && levels[0] < Signals.rms(last))
        #expect(levels[1] < levels[0] && levels[2] < levels[1])
        // From 60 ms on only comfort noise is left: present but at the configured level.
        for frame in concealed[3...] {
            #expect(frame.allSatisfy { abs(Int($0)) <= 8 })
            #expect(Signals.rms(frame) > 1)
        }
        // A good packet ends concealment: the next loss starts from full level again.
        _ = try payload.withUnsafeBufferPointer { p in try frame.withUnsafeMutableBufferPointer { try codec.decode(p, into: $0) } }
        var again = [Int16](repeating: 0, count: 160)
        _ = try again.withUnsafeMutableBufferPointer { try codec.concealLoss(into: $0) }
        #expect(Signals.rms(again) > 0.7 * Signals.rms(last))
    }

    @Test func concealmentBeforeAnyPacketIsComfortNoiseOnly() throws {
        var codec = G711Codec(law: .alaw, comfortNoiseAmplitude: 4)
        var out = [Int16](repeating: 1000, count: 160)
        let n = try out.withUnsafeMutableBufferPointer { try codec.concealLoss(into: $0) }
        #expect(n == 160)
        #expect(out.allSatisfy { abs(Int($0)) <= 4 })
    }

    /// Concealment follows the received frame length (here 30 ms ptime).
    @Test func concealmentMatchesTheLastFrameLength() throws {
        var codec = G711Codec(law: .ulaw)
        let payload = [UInt8](repeating: 0x80, count: 240)
        var pcm = [Int16](repeating: 0, count: 240)
        _ = try payload.withUnsafeBufferPointer { p in try pcm.withUnsafeMutableBufferPointer { try codec.decode(p, into: $0) } }
        #expect(try pcm.withUnsafeMutableBufferPointer { try codec.concealLoss(into: $0) } == 240)
    }
}
