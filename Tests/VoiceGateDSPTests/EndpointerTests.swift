import Testing
import VoiceGateDSP
import VoiceGateTestSupport

/// Events with the time (s) at which each was emitted.
private func run(_ x: [Int16], sampleRate: Int = 8000, configuration: Endpointer.Configuration = .init())
    -> [(time: Double, event: EndpointerEvent)] {
    var ep = Endpointer(sampleRate: sampleRate, configuration: configuration)
    var out: [(Double, EndpointerEvent)] = []
    let n = ep.frameLength
    x.withUnsafeBufferPointer { all in
        for k in 0..<(x.count / n) {
            if let e = ep.process(frame: UnsafeBufferPointer(rebasing: all[k * n..<(k + 1) * n])) {
                out.append((Double(k + 1) * Double(n) / Double(sampleRate), e))
            }
        }
    }
    for e in ep.finish() { out.append((Double(x.count) / Double(sampleRate), e)) }
    return out
}

private func utterances(_ events: [(time: Double, event: EndpointerEvent)]) -> [(time: Double, utterance: Utterance)] {
    events.compactMap { if case .speechEnded(let u) = $0.event { return ($0.time, u) } else { return nil } }
}

private func starts(_ events: [(time: Double, event: EndpointerEvent)]) -> [Double] {
    events.compactMap { if case .speechStarted(let at) = $0.event { return at } else { return nil } }
}

/// Speech-like sound from `lead` to `lead + duration` in white noise 20 dB down, as PCM.
private func speech(duration: Double, lead: Double, trail: Double, sampleRate: Int = 8000, seed: UInt64 = 7) -> [Int16] {
    let clean = SyntheticSpeech.padded(SyntheticSpeech.syllables(duration: duration, sampleRate: sampleRate, seed: seed),
                                       lead: lead, trail: trail, sampleRate: sampleRate)
    return SyntheticSpeech.pcm(SyntheticSpeech.addNoise(to: clean, snrDB: 20, sampleRate: sampleRate))
}

@Suite struct EndpointerTests {
    @Test func preRollHoldsTheAudioBeforeTheOnset() throws {
        let x = speech(duration: 1.0, lead: 1.0, trail: 1.5)
        let events = run(x)
        let start = try #require(starts(events).first)
        #expect(abs(start - 1.0) < 0.05, "start \(start)")
        let u = try #require(utterances(events).first?.utterance)
        #expect(u.endReason == .trailingSilence)
        #expect(abs(u.audioStart - (u.speechStart - 0.3)) < 0.0001)
        // The audio is the input itself, sample for sample, from 300 ms before the onset.
        let first = Int((u.audioStart * 8000).rounded())
        #expect(u.audio.count > 8000)
        #expect(Array(x[first..<first + u.audio.count]) == u.audio)
        #expect(abs(u.speechEnd - 2.0) < 0.1, "end \(u.speechEnd)")
    }

    @Test func trailingSilenceDecidesWhenTheEndIsReported() throws {
        let x = speech(duration: 1.0, lead: 0.8, trail: 2.0)
        for trailing in [400, 700] {
            let ended = try #require(utterances(run(x, configuration: .init(trailingSilenceMs: trailing))).first)
            let delay = ended.time - ended.utterance.speechEnd
            #expect(abs(delay - Double(trailing) / 1000) < 0.015, "trailing \(trailing): \(delay)")
        }
    }

    @Test func pausesShorterThanTrailingSilenceKeepOneUtterance() {
        let a = SyntheticSpeech.syllables(duration: 0.7, sampleRate: 8000, seed: 3)
        let clean = SyntheticSpeech.padded(a + [Double](repeating: 0, count: 4000) + a, lead: 0.5, trail: 1.5, sampleRate: 8000)
        let x = SyntheticSpeech.pcm(SyntheticSpeech.addNoise(to: clean, snrDB: 20, sampleRate: 8000))
        #expect(utterances(run(x)).count == 1)  // 500 ms hesitation < 700 ms
        #expect(utterances(run(x, configuration: .init(trailingSilenceMs: 300))).count == 2)
    }

    @Test func maximumLengthForcesAnEnd() throws {
        let x = speech(duration: 5.0, lead: 0.5, trail: 1.0)
        let config = Endpointer.Configuration(maximumUtteranceMs: 2000)
        let ended = utterances(run(x, configuration: config))
        let first = try #require(ended.first)
        #expect(first.utterance.endReason == .maximumLength)
        #expect(abs(first.utterance.speechEnd - first.utterance.speechStart - 2.0) < 0.011)
        #expect(first.utterance.audio.count <= (300 + 2000 + 10) * 8)
        // Speech that goes on becomes the next utterance rather than being lost.
        #expect(ended.count >= 2)
        #expect(starts(run(x, configuration: config)).count == ended.count)
    }

    @Test func burstsShorterThanMinimumSpeechAreIgnored() {
        var clean = SyntheticSpeech.whiteNoise(duration: 3, sampleRate: 8000, levelDBFS: -60)
        let burst = SyntheticSpeech.syllables(duration: 0.06, sampleRate: 8000, levelDBFS: -20)
        for i in burst.indices { clean[8000 + i] += burst[i] }
        let x = SyntheticSpeech.pcm(clean)
        #expect(run(x, configuration: .init(minimumSpeechMs: 200)).isEmpty)
    }

    @Test func endOfInputClosesAnOpenUtterance() throws {
        let x = speech(duration: 1.0, lead: 0.5, trail: 0.2)
        let u = try #require(utterances(run(x)).last?.utterance)
        #expect(u.endReason == .endOfInput)
    }

    @Test func works16kHz() throws {
        let x = speech(duration: 1.0, lead: 1.0, trail: 1.5, sampleRate: 16000)
        let u = try #require(utterances(run(x, sampleRate: 16000)).first?.utterance)
        #expect(u.sampleRate == 16000)
        #expect(abs(u.speechStart - 1.0) < 0.05)
        let first = Int((u.audioStart * 16000).rounded())
        #expect(Array(x[first..<first + u.audio.count]) == u.audio)
    }
}
