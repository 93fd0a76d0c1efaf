import Foundation
public import VoiceGateDialog
public import VoiceGateDSP
public import VoiceGateSpeech
import VoiceGateCodecs

/// Which voice speaks each language, and how much slower for assisted callers.
public struct PromptVoices: Sendable, Equatable {
    /// Voice per language.
    public var voices: [Language: SpeechVoice]
    /// Rate factor for assisted callers (DESIGN.md section 6: slower prompts).
    public var slowFactor: Double

    /// Voices per language with a slow factor.
    public init(voices: [Language: SpeechVoice], slowFactor: Double = 0.8) {
        self.voices = voices
        self.slowFactor = slowFactor
    }

    /// espeak-ng's American English and Mandarin voices at 160 words per minute, 0.8× when slow.
    public static let espeak = PromptVoices(voices: [.en: EspeakSynthesizer.englishVoice, .zh: EspeakSynthesizer.mandarinVoice])

    /// The voice for `language`, slowed if `slow`.
    public func voice(for language: Language, slow: Bool) -> SpeechVoice {
        let voice = voices[language] ?? voices[.en] ?? EspeakSynthesizer.englishVoice
        return slow ? voice.slowed(by: slowFactor) : voice
    }
}

/// Gaps and trimming when prompts and fragments are joined.
public struct PromptTiming: Sendable, Equatable {
    /// Silence inserted between consecutive fragments of a say-as segment.
    public var fragmentGapMilliseconds: Int
    /// Silence inserted between consecutive segments (not around `.silence` segments).
    public var segmentGapMilliseconds: Int
    /// Silence kept at each end of a fragment when trimming.
    public var trimKeepMilliseconds: Int
    /// Samples at or below this magnitude count as silence when trimming.
    public var silenceThreshold: Int16

    /// Timing values; the defaults keep 30 ms around fragments and add 20 ms between them.
    public init(fragmentGapMilliseconds: Int = 20, segmentGapMilliseconds: Int = 120,
                trimKeepMilliseconds: Int = 30, silenceThreshold: Int16 = 300) {
        self.fragmentGapMilliseconds = fragmentGapMilliseconds
        self.segmentGapMilliseconds = segmentGapMilliseconds
        self.trimKeepMilliseconds = trimKeepMilliseconds
        self.silenceThreshold = silenceThreshold
    }
}

/// How a say-as segment (number, amount, date, time, digits) becomes audio.
public enum SayAsAudio: Sendable, Equatable {
    /// Concatenate fragment audio one by one, recorded or synthesised.
    case concatenate
    /// If no fragment is recorded, synthesise the joined text as one utterance (better prosody
    /// from TTS); if any fragment is recorded, concatenate. The default.
    case wholeUtteranceWhenSynthesised
}

/// What one rendered piece was made of: for prompt versioning and call traces.
public struct RenderedPart: Sendable, Equatable {
    /// Where the audio came from.
    public enum Source: Sendable, Equatable {
        /// A recording (path).
        case recorded(String)
        /// Synthesised text (rendered now or taken from the cache).
        case synthesised
        /// A pause.
        case silence
    }

    /// The prompt or fragment id; nil for a pause or a whole say-as utterance.
    public var id: String?
    /// The text spoken (nil for recordings without text and pauses).
    public var text: String?
    /// Where the audio came from.
    public var source: Source
    /// Content hash: SHA-256 of the synthesis key (engine, voice, rate, text) or of the recording's bytes.
    public var hash: String
}

/// A rendered list of segments.
public struct RenderedPrompt: Sendable, Equatable {
    /// The audio at the requested rate.
    public var audio: AudioClip
    /// Every piece, in order.
    public var parts: [RenderedPart]
    /// SHA-256 over the parts' hashes: identifies exactly which prompt versions were played.
    public var versionHash: String
}

/// Renders `[PromptSegment]` to PCM: prompts by recording or synthesis, say-as segments by
/// fragments, with an on-disk WAV cache (default `var/cache/prompts`) keyed by a SHA-256 of
/// engine identifier, voice, words per minute, sample rate and text, so that each distinct
/// prompt is synthesised once, plus an in-memory LRU. An actor because the caches are shared by
/// every call; the catalog can be replaced at any time (hot reload) without disturbing renders.
public actor PromptRenderer {
    /// Version of the rendering pipeline; part of every cache key.
    public static let renderVersion = "render-1"

    private var catalog: PromptCatalog
    private let synthesizer: any SpeechSynthesizer
    private let voices: PromptVoices
    private let timing: PromptTiming
    private let sayAsAudio: SayAsAudio
    private var cache: RenderCache
    private var recordings: [String: (stamp: String, clip: AudioClip, hash: String)] = [:]

    /// A renderer over `catalog` speaking through `synthesizer`.
    /// - Parameters:
    ///   - cacheDirectory: where synthesised prompts are kept as WAV files; nil for memory only.
    ///   - memoryCacheEntries: clips kept in memory (LRU).
    public init(catalog: PromptCatalog, synthesizer: any SpeechSynthesizer,
                cacheDirectory: String? = "var/cache/prompts", voices: PromptVoices = .espeak,
                timing: PromptTiming = PromptTiming(), sayAsAudio: SayAsAudio = .wholeUtteranceWhenSynthesised,
                memoryCacheEntries: Int = 512) {
        self.catalog = catalog
        self.synthesizer = synthesizer
        self.voices = voices
        self.timing = timing
        self.sayAsAudio = sayAsAudio
        self.cache = RenderCache(directory: cacheDirectory, capacity: memoryCacheEntries)
    }

    /// Replaces the catalog (prompt edits go live for the next render).
    public func replaceCatalog(_ catalog: PromptCatalog) {
        self.catalog = catalog
    }

    /// Renders `segments` in `language` at `sampleRate` (8000 or 16000), slower if `slow`.
    /// - Throws: `PromptNotFoundError` for an unknown prompt or fragment id, `SayAsError` for
    ///   segments that cannot be read, `WAVError` for an unreadable recording, `SpeechError`.
    public func render(_ segments: [PromptSegment], language: Language, sampleRate: Int,
                       slow: Bool = false) async throws -> RenderedPrompt {
        try await render(segments, language: language, sampleRate: sampleRate, slow: slow, catalog: catalog)
    }

    /// Renders `segments` from `catalog` instead of the renderer's own (a call keeps the prompt
    /// versions it started with while the shared caches serve every call; see `LiveConfiguration`).
    public func render(_ segments: [PromptSegment], language: Language, sampleRate: Int,
                       slow: Bool = false, catalog: PromptCatalog) async throws -> RenderedPrompt {
        var samples: [Int16] = []
        var parts: [RenderedPart] = []
        var previousWasSpeech = false
        for segment in segments {
            if case let .silence(ms) = segment {
                samples.append(contentsOf: repeatElement(0, count: max(0, ms) * sampleRate / 1000))
                parts.append(RenderedPart(id: nil, text: nil, source: .silence, hash: SHA256Digest.hex("silence \(ms)")))
                previousWasSpeech = false
                continue
            }
            if previousWasSpeech { samples.append(contentsOf: gap(timing.segmentGapMilliseconds, sampleRate)) }
            previousWasSpeech = true
            if case let .prompt(id) = segment {
                let (clip, part) = try await piece(id, language: language, sampleRate: sampleRate, slow: slow, catalog: catalog)
                samples += clip.samples
                parts.append(part)
                continue
            }
            let ids = try SayAs.fragments(for: segment, language: language)
            let anyRecorded = ids.contains { catalog.recording(of: $0, language: language) != nil }
            if sayAsAudio == .wholeUtteranceWhenSynthesised && !anyRecorded {
                let text = try catalog.joinedText(of: ids, language: language)
                let (clip, hash) = try await synthesised(text, language: language, sampleRate: sampleRate, slow: slow)
                samples += clip.samples
                parts.append(RenderedPart(id: nil, text: text, source: .synthesised, hash: hash))
                continue
            }
            for (index, id) in ids.enumerated() {
                let (clip, part) = try await piece(id, language: language, sampleRate: sampleRate, slow: slow, catalog: catalog)
                if index > 0 { samples.append(contentsOf: gap(timing.fragmentGapMilliseconds, sampleRate)) }
                samples += SilenceTrim.trim(clip.samples, sampleRate: sampleRate,
                                            keepMilliseconds: timing.trimKeepMilliseconds, threshold: timing.silenceThreshold)
                parts.append(part)
            }
        }
        let versionHash = SHA256Digest.hex(parts.map(\.hash).joined(separator: ","))
        return RenderedPrompt(audio: AudioClip(sampleRate: sampleRate, samples: samples), parts: parts, versionHash: versionHash)
    }

    /// The audio of one prompt or fragment id: its recording, else its synthesised text.
    private func piece(_ id: String, language: Language, sampleRate: Int, slow: Bool,
                       catalog: PromptCatalog) async throws -> (AudioClip, RenderedPart) {
        switch try catalog.source(of: id, language: language) {
        case let .recorded(path):
            let (clip, hash) = try recorded(path, sampleRate: sampleRate)
            return (clip, RenderedPart(id: id, text: catalog.text(of: id, language: language), source: .recorded(path), hash: hash))
        case let .synthesised(text):
            let (clip, hash) = try await synthesised(text, language: language, sampleRate: sampleRate, slow: slow)
            return (clip, RenderedPart(id: id, text: text, source: .synthesised, hash: hash))
        }
    }

    /// `text` synthesised in `language` as a prompt would be (same voice and cache), for
    /// previewing an edit before it is published.
    public func preview(text: String, language: Language, sampleRate: Int) async throws -> AudioClip {
        try await synthesised(text, language: language, sampleRate: sampleRate, slow: false).0
    }

    /// Synthesised audio of `text`, from the cache when possible.
    private func synthesised(_ text: String, language: Language, sampleRate: Int, slow: Bool) async throws -> (AudioClip, String) {
        let voice = voices.voice(for: language, slow: slow)
        let key = SHA256Digest.hex([Self.renderVersion, synthesizer.engineIdentifier, voice.name,
                                    String(voice.wordsPerMinute), String(sampleRate), text].joined(separator: "\u{1F}"))
        if let clip = cache.clip(for: key, sampleRate: sampleRate) { return (clip, key) }
        let clip = try await synthesizer.synthesize(text, voice: voice, sampleRate: sampleRate)
        let atRate = clip.sampleRate == sampleRate ? clip : resample(clip, to: sampleRate)
        cache.store(atRate, for: key)
        return (atRate, key)
    }

    /// A recording at `sampleRate`, re-read when the file changes (size or modification time).
    private func recorded(_ path: String, sampleRate: Int) throws -> (AudioClip, String) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp = "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) \(attributes?[.size] as? Int ?? 0)"
        let key = "\(path)|\(sampleRate)"
        if let hit = recordings[key], hit.stamp == stamp { return (hit.clip, hit.hash) }
        let bytes = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        let clip = try WAVFile.decode(bytes, name: path, allowedRates: [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000])
        let atRate = resample(clip, to: sampleRate)
        let hash = SHA256Digest.hex(bytes)
        recordings[key] = (stamp, atRate, hash)
        return (atRate, hash)
    }

    private func resample(_ clip: AudioClip, to rate: Int) -> AudioClip { clip.resampled(to: rate) }

    private func gap(_ ms: Int, _ rate: Int) -> Repeated<Int16> { repeatElement(0, count: ms * rate / 1000) }
}
