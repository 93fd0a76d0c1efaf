import Foundation
import Testing
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateDSP
import VoiceGatePrompts
import VoiceGateSpeech

/// A synthesiser that counts calls and "speaks" a tone whose length grows with the text, so
/// rendering and caching are testable without espeak-ng.
actor CountingSynthesizer: SpeechSynthesizer {
    nonisolated let engineIdentifier = "counting-1"
    private(set) var calls: [String] = []

    func synthesize(_ text: String, voice: SpeechVoice, sampleRate: Int) async throws -> AudioClip {
        calls.append(text)
        let n = sampleRate * (100 + 20 * text.count) / 1000
        return AudioClip(sampleRate: sampleRate, samples: (0..<n).map { Int16(8000 * sin(Double($0) * 0.3)) })
    }
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-prompts-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

@Suite struct PromptCatalogTests {
    @Test func loadsEveryYamlFileAndFindsRecordings() throws {
        let root = temporaryDirectory()
        try write("greeting: Welcome to Example Bank.\nbalance_is: \"Your balance is\"\n", to: "\(root)/en/prompts.yaml")
        try write("num_1: one\n", to: "\(root)/en/fragments.yaml")
        try write("greeting: 欢迎致电示例银行。\n", to: "\(root)/zh/prompts.yaml")
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: [1, 2, 3]), to: "\(root)/en/greeting.wav")
        let catalog = try PromptCatalog.load(root: root)
        #expect(catalog.text(of: "balance_is", language: .en) == "Your balance is")
        #expect(catalog.text(of: "num_1", language: .en) == "one")
        #expect(catalog.text(of: "greeting", language: .zh) == "欢迎致电示例银行。")
        #expect(try catalog.source(of: "greeting", language: .en) == .recorded(path: "\(root)/en/greeting.wav"))
        #expect(try catalog.source(of: "greeting", language: .zh) == .synthesised(text: "欢迎致电示例银行。"))
        #expect(throws: PromptNotFoundError.self) { try catalog.source(of: "nope", language: .en) }
    }

    @Test func errorsNameFileAndLine() throws {
        let root = temporaryDirectory()
        try write("greeting: Welcome\nmenu:\n  - one\n  - two\ncount: 3\nok: fine\n", to: "\(root)/en/a.yaml")
        try write("# comment\nother: text\ngreeting: again\n", to: "\(root)/en/b.yaml")
        try write("x: [unclosed\n", to: "\(root)/zh/broken.yaml")
        do {
            _ = try PromptCatalog.load(root: root)
            Issue.record("expected errors")
        } catch let error as PromptCatalogError {
            let lines = error.problems.map(\.description)
            #expect(lines.contains { $0.hasPrefix("en/a.yaml:3:") && $0.contains("'menu'") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("en/a.yaml:5:") && $0.contains("'count'") && $0.contains("number") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("en/b.yaml:3:") && $0.contains("'greeting'") && $0.contains("en/a.yaml:1") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("zh/broken.yaml:") }, "\(lines)")
            #expect(lines.count == 4, "\(lines)")
        }
    }

    @Test func duplicateWithinOneFileIsAnError() throws {
        let root = temporaryDirectory()
        try write("a: one\nb: two\na: three\n", to: "\(root)/en/p.yaml")
        #expect { try PromptCatalog.load(root: root) } throws: { error in
            "\(error)".contains("en/p.yaml:") && "\(error)".contains("'a'")
        }
    }
}

@Suite struct PromptRendererTests {
    let catalog = PromptCatalog(texts: [
        .en: ["balance_is": "Your balance is", "num_1": "one", "num_thousand": "thousand", "num_2": "two",
              "num_hundred": "hundred", "num_34": "thirty-four", "cur_dollars": "dollars", "cur_and": "and",
              "num_56": "fifty-six", "cur_cents": "cents"],
    ])

    @Test func currencyIsLongerThanOneFragmentAndCachedOnDisk() async throws {
        let synth = CountingSynthesizer()
        let cacheDir = temporaryDirectory()
        let renderer = PromptRenderer(catalog: catalog, synthesizer: synth, cacheDirectory: cacheDir, sayAsAudio: .concatenate)
        let segments: [PromptSegment] = [.prompt("balance_is"), .currency(minorUnits: 123_456, code: "USD")]
        let first = try await renderer.render(segments, language: .en, sampleRate: 8000)
        let single = try await renderer.render([.prompt("num_1")], language: .en, sampleRate: 8000)
        #expect(first.audio.sampleRate == 8000)
        #expect(first.audio.samples.count > 5 * single.audio.samples.count)
        #expect(first.parts.map(\.id) == ["balance_is", "num_1", "num_thousand", "num_2", "num_hundred", "num_34", "cur_dollars", "cur_and", "num_56", "cur_cents"])
        let callsAfterFirst = await synth.calls.count
        #expect(callsAfterFirst == 10)  // num_1 was cached by the first render

        let second = try await renderer.render(segments, language: .en, sampleRate: 8000)
        #expect(await synth.calls.count == callsAfterFirst)
        #expect(second == first)

        // A new renderer (new process) finds the WAV files on disk.
        let fresh = CountingSynthesizer()
        let again = try await PromptRenderer(catalog: catalog, synthesizer: fresh, cacheDirectory: cacheDir, sayAsAudio: .concatenate)
            .render(segments, language: .en, sampleRate: 8000)
        #expect(await fresh.calls.isEmpty)
        #expect(again.audio == first.audio)
        #expect(again.versionHash == first.versionHash)
        let files = try FileManager.default.contentsOfDirectory(atPath: cacheDir)
        #expect(files.count == 10 && files.allSatisfy { $0.hasSuffix(".wav") }, "\(files)")
    }

    @Test func wholeUtteranceWhenNothingIsRecordedAndSlowIsADifferentKey() async throws {
        let synth = CountingSynthesizer()
        let renderer = PromptRenderer(catalog: catalog, synthesizer: synth, cacheDirectory: nil)
        let normal = try await renderer.render([.currency(minorUnits: 123_456, code: "USD")], language: .en, sampleRate: 8000)
        #expect(await synth.calls == ["one thousand two hundred thirty-four dollars and fifty-six cents"])
        let slow = try await renderer.render([.currency(minorUnits: 123_456, code: "USD")], language: .en, sampleRate: 8000, slow: true)
        #expect(await synth.calls.count == 2)
        #expect(slow.parts[0].hash != normal.parts[0].hash)
    }

    @Test func recordedWavWinsOverSynthesis() async throws {
        let root = temporaryDirectory()
        try write("greeting: Welcome to Example Bank.\n", to: "\(root)/en/prompts.yaml")
        let tone = (0..<4000).map { Int16(10000 * sin(2 * Double.pi * 440 * Double($0) / 8000)) }
        try WAVFile.write(AudioClip(sampleRate: 8000, samples: tone), to: "\(root)/en/greeting.wav")
        let synth = CountingSynthesizer()
        let renderer = PromptRenderer(catalog: try PromptCatalog.load(root: root), synthesizer: synth, cacheDirectory: nil)
        let out = try await renderer.render([.prompt("greeting")], language: .en, sampleRate: 8000)
        #expect(out.audio.samples == tone)
        #expect(await synth.calls.isEmpty)
        #expect(out.parts[0].source == .recorded("\(root)/en/greeting.wav"))
        // At 16 kHz the recording is resampled: twice as long, same tone.
        let wide = try await renderer.render([.prompt("greeting")], language: .en, sampleRate: 16000)
        #expect(wide.audio.samples.count == 8000)
    }

    @Test func missingPromptIsAClearError() async throws {
        let renderer = PromptRenderer(catalog: catalog, synthesizer: CountingSynthesizer(), cacheDirectory: nil)
        await #expect { _ = try await renderer.render([.prompt("no_such_prompt")], language: .en, sampleRate: 8000) } throws: { error in
            (error as? PromptNotFoundError) == PromptNotFoundError(id: "no_such_prompt", language: .en)
                && "\(error)".contains("no_such_prompt")
        }
        // A say-as fragment missing from the catalog is named too.
        await #expect(throws: PromptNotFoundError(id: "num_7", language: .en)) {
            _ = try await renderer.render([.number(7)], language: .en, sampleRate: 8000)
        }
    }

    @Test func silenceSegmentsAreZeros() async throws {
        let renderer = PromptRenderer(catalog: catalog, synthesizer: CountingSynthesizer(), cacheDirectory: nil)
        let out = try await renderer.render([.silence(milliseconds: 250)], language: .en, sampleRate: 16000)
        #expect(out.audio.samples == [Int16](repeating: 0, count: 4000))
    }

    @Test func espeakRendersMandarinCurrency() async throws {
        let renderer = PromptRenderer(catalog: repositoryFragments, synthesizer: EspeakSynthesizer.shared, cacheDirectory: nil)
        let amount = try await renderer.render([.currency(minorUnits: 123_456, code: "CNY")], language: .zh, sampleRate: 8000)
        #expect(amount.parts.map(\.text) == ["一千二百三十四元五角六分"])
        #expect(amount.audio.duration > 1.5, "\(amount.audio.duration)")
    }
}

@Suite struct SHA256DigestTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(_ pair: (String, String)) {
        #expect(SHA256Digest.hex(pair.0) == pair.1)
    }

    /// A message spanning many 64-byte blocks, with a partial last block.
    @Test func multiBlockMessage() {
        #expect(SHA256Digest.hex(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(SHA256Digest.digest(Array(repeating: UInt8(ascii: "a"), count: 1000)).count == 32)
    }
}
