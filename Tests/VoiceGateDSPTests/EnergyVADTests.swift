import Testing
import Foundation
import VoiceGateDSP
import VoiceGateTestSupport

/// Speech segments in seconds found by a fresh detector on `x`.
private func segments(_ x: [Double], sampleRate: Int, configuration: EnergyVAD.Configuration = .init())
    -> [(start: Double, end: Double)] {
    var vad = EnergyVAD(sampleRate: sampleRate, configuration: configuration)
    let decisions = vad.process(samples: SyntheticSpeech.pcm(x))
    return vad.segments(of: decisions).map { (Double($0.start) / 100, Double($0.end) / 100) }
}

/// First and last 10 ms frame of `clean` within `rangeDB` of its loudest frame, in seconds.
private func reference(_ clean: [Double], sampleRate: Int, rangeDB: Double = 30) -> (start: Double, end: Double) {
    let n = sampleRate / 100
    let energies = stride(from: 0, to: clean.count - n + 1, by: n).map { i in
        clean[i..<i + n].map { $0 * $0 }.reduce(0, +) / Double(n)
    }
    let peak = energies.max() ?? 0
    let active = energies.indices.filter { energies[$0] > peak * pow(10, -rangeDB / 10) }
    return (Double(active.first ?? 0) / 100, Double((active.last ?? 0) + 1) / 100)
}

@Suite struct EnergyVADTests {
    @Test func decibelsAreAccurate() {
        #expect(abs(Decibels.fromPower(1)) < 0.001)
        #expect(abs(Decibels.fromPower(0.001) + 30) < 0.001)
        #expect(abs(Decibels.fromPower(2) - 3.0103) < 0.001)
        #expect(Decibels.fromPower(0) == -100)
        let square = [Int16](repeating: 32767, count: 40) + [Int16](repeating: -32767, count: 40)
        let power = square.withUnsafeBufferPointer { Decibels.meanSquare($0) }
        #expect(abs(Decibels.fromPower(power)) < 0.01)
        let odd: [Int16] = [1000, -1000, 1000]  // scalar remainder path
        let p2 = odd.withUnsafeBufferPointer { Decibels.meanSquare($0) }
        #expect(abs(p2 - 1e6 / 1_073_741_824) < 1e-9)
    }

    @Test(arguments: [20.0, 10.0])
    func espeakSpeechInWhiteNoiseHasAccurateOnsetAndOffset(snr: Double) throws {
        let speech = try #require(SyntheticSpeech.espeak("please block my card right now", sampleRate: 8000),
                                  "espeak-ng and sox are needed (make setup)")
        let peak = speech.map(abs).max() ?? 1
        let clean = SyntheticSpeech.padded(speech.map { $0 * 0.3 / peak }, lead: 1.0, trail: 1.0, sampleRate: 8000)
        let truth = reference(clean, sampleRate: 8000)
        let found = segments(SyntheticSpeech.addNoise(to: clean, snrDB: snr, sampleRate: 8000), sampleRate: 8000)
        let first = try #require(found.first, "no speech found at \(snr) dB")
        let last = try #require(found.last)
        #expect(abs(first.start - truth.start) <= 0.06, "onset \(first.start) vs \(truth.start)")
        #expect(abs(last.end - truth.end) <= 0.25, "offset \(last.end) vs \(truth.end)")
        // Nothing far outside the speech.
        #expect(first.start > truth.start - 0.15 && last.end < truth.end + 0.35)
        // The sentence is one or two stretches, not a chatter of fragments.
        #expect(found.count <= 2)
    }

    @Test func singleClickIsNotSpeech() {
        var x = SyntheticSpeech.whiteNoise(duration: 2, sampleRate: 8000, levelDBFS: -55)
        for i in 8000..<8040 { x[i] += (i % 2 == 0 ? 0.8 : -0.8) }  // 5 ms click at 1.0 s
        #expect(segments(x, sampleRate: 8000).isEmpty)
    }

    @Test func shortPauseDoesNotSplitSpeech() {
        let a = SyntheticSpeech.syllables(duration: 0.6, sampleRate: 8000, seed: 5)
        let b = SyntheticSpeech.syllables(duration: 0.6, sampleRate: 8000, seed: 6)
        let clean = SyntheticSpeech.padded(a + [Double](repeating: 0, count: 1600) + b,
                                           lead: 0.8, trail: 0.8, sampleRate: 8000)
        let found = segments(SyntheticSpeech.addNoise(to: clean, snrDB: 20, sampleRate: 8000), sampleRate: 8000)
        #expect(found.count == 1, "\(found)")
    }

    @Test func longPauseDoesSplitSpeech() {
        let a = SyntheticSpeech.syllables(duration: 0.6, sampleRate: 8000, seed: 5)
        let clean = SyntheticSpeech.padded(a + [Double](repeating: 0, count: 8000) + a,
                                           lead: 0.8, trail: 0.8, sampleRate: 8000)
        let found = segments(SyntheticSpeech.addNoise(to: clean, snrDB: 20, sampleRate: 8000), sampleRate: 8000)
        #expect(found.count == 2, "\(found)")
    }

    @Test func noiseFloorFollowsALouderBackground() {
        // 2 s of noise at -50 dBFS, then 8 s at -40 dBFS, speech at 7.0-8.0 s.
        let quiet = SyntheticSpeech.whiteNoise(duration: 2, sampleRate: 8000, levelDBFS: -50, seed: 11)
        let loud = SyntheticSpeech.whiteNoise(duration: 8, sampleRate: 8000, levelDBFS: -40, seed: 12)
        let speech = SyntheticSpeech.padded(SyntheticSpeech.syllables(duration: 1.0, sampleRate: 8000, levelDBFS: -25),
                                            lead: 7.0, trail: 2.0, sampleRate: 8000)
        let x = SyntheticSpeech.mix(quiet + loud, speech)
        var vad = EnergyVAD(sampleRate: 8000)
        let decisions = vad.process(samples: SyntheticSpeech.pcm(x))
        // The step may cause a brief false alarm, but none lasting past 4.5 s.
        let falseAfterStep = (450..<700).filter { decisions[$0].isSpeech }
        #expect(falseAfterStep.isEmpty, "false alarm frames after the step: \(falseAfterStep.count)")
        // The floor now sits near the new level, and speech is still heard.
        #expect(abs(decisions[690].noiseFloorDBFS - (-40)) < 3)
        #expect((700..<800).filter { decisions[$0].isSpeech }.count > 80)
        #expect(!decisions[950].isSpeech)
    }

    @Test func noiseFloorFollowsAQuieterBackground() {
        let loud = SyntheticSpeech.whiteNoise(duration: 2, sampleRate: 8000, levelDBFS: -35, seed: 21)
        let quiet = SyntheticSpeech.whiteNoise(duration: 3, sampleRate: 8000, levelDBFS: -55, seed: 22)
        var vad = EnergyVAD(sampleRate: 8000)
        let decisions = vad.process(samples: SyntheticSpeech.pcm(loud + quiet))
        #expect(abs(decisions[480].noiseFloorDBFS - (-55)) < 3)
        #expect(decisions.allSatisfy { !$0.isSpeech })
    }

    @Test func works16kHz() throws {
        let clean = SyntheticSpeech.padded(SyntheticSpeech.syllables(duration: 1.2, sampleRate: 16000),
                                           lead: 1.0, trail: 1.0, sampleRate: 16000)
        let found = segments(SyntheticSpeech.addNoise(to: clean, snrDB: 15, sampleRate: 16000), sampleRate: 16000)
        let truth = reference(clean, sampleRate: 16000)
        try #require(found.count == 1, "\(found)")
        #expect(abs(found[0].start - truth.start) <= 0.05)
        #expect(abs(found[0].end - truth.end) <= 0.2)
        #expect(EnergyVAD(sampleRate: 16000).frameLength == 160)
    }

    @Test func onsetIsFlaggedOnceAndThresholdIsRelativeToTheFloor() {
        let clean = SyntheticSpeech.padded(SyntheticSpeech.syllables(duration: 0.8, sampleRate: 8000),
                                           lead: 1.0, trail: 1.0, sampleRate: 8000)
        var vad = EnergyVAD(sampleRate: 8000)
        let decisions = vad.process(samples: SyntheticSpeech.pcm(SyntheticSpeech.addNoise(to: clean, snrDB: 20, sampleRate: 8000)))
        #expect(decisions.filter(\.isOnset).count == 1)
        let d = decisions[50]
        let expected = d.noiseFloorDBFS + vad.configuration.sensitivityDB
        #expect(d.thresholdDBFS >= expected && d.thresholdDBFS < expected + 5)
    }

    @Test func quieterSensitivityMissesWhatDefaultFinds() {
        // A soft voice 6 dB over the noise: heard with the default, not with a 15 dB margin.
        let clean = SyntheticSpeech.padded(SyntheticSpeech.syllables(duration: 1.0, sampleRate: 8000, levelDBFS: -40),
                                           lead: 1.0, trail: 1.0, sampleRate: 8000)
        let x = SyntheticSpeech.addNoise(to: clean, snrDB: 6, sampleRate: 8000)
        #expect(!segments(x, sampleRate: 8000).isEmpty)
        #expect(segments(x, sampleRate: 8000, configuration: .init(sensitivityDB: 15)).isEmpty)
    }

    @Test func resetStartsANewCall() {
        let x = SyntheticSpeech.pcm(SyntheticSpeech.addNoise(
            to: SyntheticSpeech.padded(SyntheticSpeech.syllables(duration: 0.8, sampleRate: 8000), lead: 0.5, trail: 0.5, sampleRate: 8000),
            snrDB: 15, sampleRate: 8000))
        var vad = EnergyVAD(sampleRate: 8000)
        let first = vad.process(samples: x)
        vad.reset()
        #expect(vad.process(samples: x) == first)
    }
}
