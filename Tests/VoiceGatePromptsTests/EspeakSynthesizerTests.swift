import Testing
import VoiceGateDSP
import VoiceGateSpeech

/// The real espeak-ng engine: audio exists, has a plausible length, and is deterministic
/// (the render cache and reproducible simulations rely on that).
@Suite struct EspeakSynthesizerTests {
    @Test func englishWordAt8kHzHasPlausibleDuration() async throws {
        let clip = try await EspeakSynthesizer.shared.synthesize("balance", voice: EspeakSynthesizer.englishVoice, sampleRate: 8000)
        #expect(clip.sampleRate == 8000)
        #expect(clip.duration > 0.25 && clip.duration < 2.0, "duration \(clip.duration)")
        let peak = clip.samples.map { abs(Int($0)) }.max() ?? 0
        #expect(peak > 1000)
    }

    @Test func mandarinTextGivesAudio() async throws {
        let clip = try await EspeakSynthesizer.shared.synthesize("您的余额是一百元", voice: EspeakSynthesizer.mandarinVoice, sampleRate: 16000)
        #expect(clip.sampleRate == 16000)
        #expect(clip.duration > 0.8, "duration \(clip.duration)")
        #expect((clip.samples.map { abs(Int($0)) }.max() ?? 0) > 1000)
    }

    @Test func sameTextTwiceIsIdentical() async throws {
        let a = try await EspeakSynthesizer.shared.synthesize("your balance is twelve dollars", voice: EspeakSynthesizer.englishVoice, sampleRate: 8000)
        // espeak-ng keeps state between utterances: a long slow sentence and a Mandarin one in between.
        _ = try await EspeakSynthesizer.shared.synthesize("please enter the last four digits of your card", voice: EspeakSynthesizer.englishVoice.slowed(), sampleRate: 16000)
        _ = try await EspeakSynthesizer.shared.synthesize("请输入您的卡号后四位", voice: EspeakSynthesizer.mandarinVoice, sampleRate: 8000)
        let b = try await EspeakSynthesizer.shared.synthesize("your balance is twelve dollars", voice: EspeakSynthesizer.englishVoice, sampleRate: 8000)
        #expect(a.samples.count == b.samples.count)
        let firstDifference = zip(a.samples, b.samples).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "first differing sample \(String(describing: firstDifference)) of \(a.samples.count)")
    }

    @Test func slowVoiceIsLonger() async throws {
        let text = "please enter the last four digits of your card"
        let normal = try await EspeakSynthesizer.shared.synthesize(text, voice: EspeakSynthesizer.englishVoice, sampleRate: 8000)
        let slow = try await EspeakSynthesizer.shared.synthesize(text, voice: EspeakSynthesizer.englishVoice.slowed(by: 0.8), sampleRate: 8000)
        #expect(slow.duration > normal.duration * 1.1)
    }

    @Test func unknownVoiceIsAClearError() async throws {
        await #expect(throws: SpeechError.self) {
            _ = try await EspeakSynthesizer.shared.synthesize("x", voice: SpeechVoice(name: "no-such-voice", wordsPerMinute: 150), sampleRate: 8000)
        }
    }
}
