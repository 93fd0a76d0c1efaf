import Foundation
import Testing
import VoiceGateCodecs

@Suite struct OpusCodecTests {
    /// Encodes `pcm` frame by frame and decodes every packet, returning the packets and the decoded audio.
    static func roundTrip(_ codec: OpusCodec, _ pcm: [Int16]) throws -> (packets: [[UInt8]], decoded: [Int16]) {
        let frame = codec.samplesPerFrame
        var packets: [[UInt8]] = []
        var decoded: [Int16] = []
        var payload = [UInt8](repeating: 0, count: codec.maxPayloadBytes)
        var out = [Int16](repeating: 0, count: frame)
        for start in stride(from: 0, to: pcm.count - frame + 1, by: frame) {
            let n = try pcm[start..<start + frame].withUnsafeBufferPointer { p in
                try payload.withUnsafeMutableBufferPointer { try codec.encode(p, into: $0) }
            }
            packets.append(Array(payload[0..<n]))
            let m = try packets.last!.withUnsafeBufferPointer { p in
                try out.withUnsafeMutableBufferPointer { try codec.decode(p, into: $0) }
            }
            #expect(m == frame)
            decoded += out[0..<m]
        }
        return (packets, decoded)
    }

    @Test func describesItselfForSDP() throws {
        let codec = try OpusCodec(pcmSampleRate: 16000, payloadType: 111)
        #expect(codec.name == "opus" && codec.payloadType == .dynamic(111) && codec.payloadType.isDynamic)
        #expect(codec.rtpmap == "opus/48000/2" && codec.clockRate == 48000 && codec.channels == 2)
        #expect(codec.samplesPerFrame == 320 && codec.timestampIncrement == 960)
        #expect(throws: CodecError.self) { try OpusCodec(pcmSampleRate: 44100) }
        #expect(throws: CodecError.self) { try OpusCodec(payloadType: 8) }
    }

    @Test func settingsAreAppliedAndCheckedForRange() throws {
        let codec = try OpusCodec(pcmSampleRate: 8000, bitrate: 16000)
        #expect(try codec.bitrate() == 16000)
        try codec.setBitrate(32000)
        #expect(try codec.bitrate() == 32000)
        try codec.setComplexity(10)
        try codec.setExpectedLossPercent(25)
        #expect(throws: CodecError.self) { try codec.setBitrate(10) }
        #expect(throws: CodecError.self) { try codec.setComplexity(11) }
        #expect(throws: CodecError.self) { try codec.setExpectedLossPercent(101) }
    }

    /// A tone survives encode + decode at every PCM rate: after aligning for the codec delay the
    /// output matches the input far above chance (a random signal correlates near 0). The tone
    /// glides in pitch so the alignment is unambiguous (a steady tone matches at every period).
    @Test(arguments: [8000, 16000, 48000])
    func toneRoundTripsAtEachRate(rate: Int) throws {
        let codec = try OpusCodec(pcmSampleRate: rate, bitrate: 32000)
        let pcm = Signals.glide(from: 400, to: 1000, rate: rate, count: rate / 2)  // 0.5 s = 25 frames
        let (packets, decoded) = try Self.roundTrip(codec, pcm)
        #expect(packets.count == 25)
        #expect(packets.allSatisfy { !$0.isEmpty && $0.count <= 1275 })
        let range = (rate / 10)..<(rate * 4 / 10)  // skip the encoder's start-up
        let best = Signals.bestLag(pcm, decoded, range: range, lags: 0...(rate / 50))
        let snr = Signals.snr(pcm, decoded, range: range, lag: best.lag)
        #expect(best.correlation > 0.95, "rate \(rate): correlation \(best.correlation) at lag \(best.lag)")
        #expect(snr > 10, "rate \(rate): SNR \(snr) dB at lag \(best.lag)")
        // libopus's delay is a few milliseconds (lookahead plus resampler), not a whole frame.
        #expect(best.lag < rate / 100, "rate \(rate): lag \(best.lag)")
    }

    /// Concealment produces one frame of plausible audio: the right length, near the speech level,
    /// and fading over consecutive losses instead of growing or looping at full level.
    @Test(arguments: [8000, 48000])
    func concealmentGivesOneFrameOfPlausibleAudio(rate: Int) throws {
        let codec = try OpusCodec(pcmSampleRate: rate)
        let pcm = Signals.tone(300, rate: rate, count: rate / 5)
        _ = try Self.roundTrip(codec, pcm)
        let level = Signals.rms(pcm)
        var levels: [Double] = []
        for _ in 0..<10 {
            var out = [Int16](repeating: 0, count: codec.samplesPerFrame * 2)
            let n = try out.withUnsafeMutableBufferPointer { try codec.concealLoss(into: $0) }
            #expect(n == codec.samplesPerFrame)
            levels.append(Signals.rms(out[0..<n]))
        }
        #expect(levels[0] > 0.2 * level && levels[0] < 1.5 * level, "first concealed frame rms \(levels[0]) vs \(level)")
        #expect(levels.allSatisfy { $0 < 1.5 * level })
        #expect(levels[9] < 0.5 * levels[0], "concealment does not fade: \(levels)")
        var tiny = [Int16](repeating: 0, count: 10)
        #expect(throws: CodecError.outputBufferTooSmall(needed: codec.samplesPerFrame, available: 10)) {
            try tiny.withUnsafeMutableBufferPointer { try codec.concealLoss(into: $0) }
        }
    }

    /// With in-band FEC, a lost frame is recovered from the next packet much better than concealed.
    @Test func fecRecoversALostFrameFromTheNextPacket() throws {
        let rate = 16000, frame = 320
        let sender = try OpusCodec(pcmSampleRate: rate, bitrate: 24000, inbandFEC: true, expectedLossPercent: 30)
        // A gliding tone, so a concealer extrapolating the past cannot guess the lost frame.
        let pcm = Signals.glide(from: 300, to: 1100, rate: rate, count: rate)
        let (packets, _) = try Self.roundTrip(sender, pcm)
        let lost = 30

        func receive(recover: Bool) throws -> [Int16] {
            let receiver = try OpusCodec(pcmSampleRate: rate)
            var out: [Int16] = []
            var buffer = [Int16](repeating: 0, count: frame)
            for (k, packet) in packets.enumerated() {
                let n: Int
                if k == lost {
                    n = try buffer.withUnsafeMutableBufferPointer { b in
                        recover
                            ? try packets[k + 1].withUnsafeBufferPointer { try receiver.decodeFEC($0, into: b) }
                            : try receiver.concealLoss(into: b)
                    }
                } else {
                    n = try packet.withUnsafeBufferPointer { p in try buffer.withUnsafeMutableBufferPointer { try receiver.decode(p, into: $0) } }
                }
                #expect(n == frame)
                out += buffer[0..<n]
            }
            return out
        }
        let clean = try receive(recover: false)  // only to find the codec delay on good frames
        let delay = Signals.bestLag(pcm, clean, range: (10 * frame)..<(25 * frame), lags: 0...frame).lag
        let lostRange = (lost * frame)..<((lost + 1) * frame - delay)
        let recovered = try receive(recover: true)
        let fecCorrelation = Signals.correlation(pcm, recovered, range: lostRange, lag: delay)
        let plcCorrelation = Signals.correlation(pcm, clean, range: lostRange, lag: delay)
        #expect(fecCorrelation > 0.8, "FEC correlation \(fecCorrelation), PLC \(plcCorrelation)")
        #expect(fecCorrelation > plcCorrelation, "FEC correlation \(fecCorrelation), PLC \(plcCorrelation)")
    }

    /// Corrupt or hostile payloads are errors, never crashes or writes past the buffer.
    @Test func badPayloadsThrow() throws {
        let codec = try OpusCodec(pcmSampleRate: 8000)
        var pcm = [Int16](repeating: 0, count: 160)
        func decode(_ bytes: [UInt8]) throws -> Int {
            try bytes.withUnsafeBufferPointer { p in try pcm.withUnsafeMutableBufferPointer { try codec.decode(p, into: $0) } }
        }
        #expect(throws: CodecError.opus(.invalidPacket, operation: "decode")) { try decode([]) }
        // Code 3 (arbitrary frame count) with a frame count of 0 is malformed (RFC 6716 section 3.2.5).
        #expect(throws: CodecError.self) { try decode([0x03, 0x00]) }
        // Code 2 (two frames of different sizes) whose first length runs past the packet.
        #expect(throws: CodecError.self) { try decode([0x02, 0xFB, 0x01]) }
        // A valid 60 ms packet does not fit a 20 ms buffer: an error naming the size needed.
        #expect(throws: CodecError.outputBufferTooSmall(needed: 480, available: 160)) { try decode([0x18, 0, 0, 0]) }
        // Random garbage: either an error or at most one buffer of audio, and the decoder keeps working.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 1...60, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if let n = try? decode(bytes) { #expect(n <= pcm.count) }
        }
        let good = try OpusCodec(pcmSampleRate: 8000)
        let (packets, _) = try Self.roundTrip(good, Signals.tone(440, rate: 8000, count: 1600))
        #expect(try decode(packets[5]) == 160)
    }

    @Test func encodeRejectsBadFrameLengthsAndSmallBuffers() throws {
        let codec = try OpusCodec(pcmSampleRate: 48000)
        var payload = [UInt8](repeating: 0, count: 1275)
        func encode(_ count: Int, into size: Int = 1275) throws -> Int {
            let pcm = [Int16](repeating: 0, count: count)
            return try pcm.withUnsafeBufferPointer { p in
                try payload[0..<size].withUnsafeMutableBufferPointer { try codec.encode(p, into: $0) }
            }
        }
        #expect(throws: CodecError.unsupportedFrameLength(samples: 1000, sampleRate: 48000)) { try encode(1000) }
        #expect(throws: CodecError.unsupportedFrameLength(samples: 0, sampleRate: 48000)) { try encode(0) }
        #expect(throws: CodecError.self) { try encode(960, into: 0) }
        #expect(try encode(480) > 0)   // 10 ms
        #expect(try encode(2880) > 0)  // 60 ms
    }
}
