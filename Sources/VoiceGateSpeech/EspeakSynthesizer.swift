import CEspeakNG
import Foundation
public import VoiceGateDSP

/// Text-to-speech through libespeak-ng's C API. The library keeps global state and is not
/// thread-safe, so there is exactly one owner per process (`shared`), an actor that serialises
/// every call, initialises the library once, and collects the synchronous-mode callback's
/// samples into a buffer reached through the `user_data` pointer (a C callback cannot capture).
/// espeak-ng speaks at 22050 Hz; the result is resampled to the call's rate with a long
/// polyphase windowed-sinc filter (`Resampler` of VoiceGateDSP, 75 dB stop band, pass band to 85% of
/// the output's Nyquist: 3.4 kHz at 8 kHz).
public actor EspeakSynthesizer: SpeechSynthesizer {
    /// The only instance: libespeak-ng has one global synthesiser per process.
    public static let shared = EspeakSynthesizer()

    /// English voice (American).
    public static let englishVoice = SpeechVoice(name: "en-us", wordsPerMinute: 160)
    /// Mandarin voice. espeak-ng 1.51's `cmn` voice turns Han characters into tone-numbered
    /// pinyin and then reads that pinyin with English rules ("liang3" as "li-a-ng three");
    /// `cmn-latn-pinyin` uses the same dictionary but reads the pinyin as Mandarin.
    public static let mandarinVoice = SpeechVoice(name: "cmn-latn-pinyin", wordsPerMinute: 160)

    /// Silence after the speech, in milliseconds (espeak-ng's own tail varies with history).
    public static let tailMilliseconds = 50

    /// "espeak-ng <version>" plus the resampler's parameters; changes when either would change the audio.
    public nonisolated let engineIdentifier: String

    private var nativeRate: Int?
    private var voiceFiles: [String: String] = [:]

    private init() {
        let version = espeak_Info(nil).map { String(cString: $0) } ?? "unknown"
        engineIdentifier = "espeak-ng \(version); flutter 0, roughness 8, tail \(Self.tailMilliseconds) ms; polyphase resampler 75 dB/0.85"
    }

    /// Synthesises `text` with `voice` and resamples it to `sampleRate`.
    /// - Throws: `SpeechError` if espeak-ng cannot start, the voice is unknown, or synthesis fails.
    public func synthesize(_ text: String, voice: SpeechVoice, sampleRate: Int) async throws -> AudioClip {
        try synthesize(text, voice: voice, pitch: nil, sampleRate: sampleRate)
    }

    /// Synthesises `text` with `voice` at espeak-ng's `pitch` (0-99, default 50) and resamples
    /// it to `sampleRate`. The voice may name a variant (`en-us+m2`, from espeak-ng's `voices/!v`).
    /// - Throws: `SpeechError` as `synthesize(_:voice:sampleRate:)`.
    public func synthesize(_ text: String, voice: SpeechVoice, pitch: Int?, sampleRate: Int) throws -> AudioClip {
        let rate = try initialise()
        // Reloaded on every call: loading resets the wave generator's per-voice state (echo buffer).
        let loaded = espeak_ng_SetVoiceByFile(try deterministicVoiceFile(for: voice.name))
        guard loaded == ENS_OK else {
            throw SpeechError("espeak-ng could not load voice '\(voice.name)' (status \(loaded.rawValue))")
        }
        let wpm = Int32(max(Int(espeakRATE_MINIMUM), min(Int(espeakRATE_MAXIMUM), voice.wordsPerMinute)))
        espeak_SetParameter(espeakRATE, wpm, 0)
        espeak_SetParameter(espeakPITCH, Int32(max(0, min(99, pitch ?? 50))), 0)
        // Breathy voices draw noise from libc rand(); a fixed seed per utterance keeps them
        // deterministic too. Nothing else in VoiceGate uses libc rand().
        srand(0x5EED)
        let sink = SampleSink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        let status = text.withCString { cText in
            espeak_Synth(cText, strlen(cText) + 1, 0, POS_CHARACTER, 0,
                         UInt32(espeakCHARS_UTF8), nil, box.toOpaque())
        }
        guard status == EE_OK else { throw SpeechError("espeak-ng failed to synthesise (status \(status.rawValue))") }
        espeak_Synchronize()
        // The length of the trailing pause depends on what was spoken before (library state),
        // so the digital silence at the end is cut and a fixed tail appended instead.
        var samples = sink.samples
        while let last = samples.last, last == 0 { samples.removeLast() }
        samples.append(contentsOf: repeatElement(0, count: rate * Self.tailMilliseconds / 1000))
        if sampleRate == rate { return AudioClip(sampleRate: rate, samples: samples) }
        return AudioClip(sampleRate: rate, samples: samples).resampled(to: sampleRate)
    }

    /// espeak-ng varies the pitch by a flutter table and roughens the voice on every n-th glottal
    /// cycle, both indexed by counters that live inside the library and carry over from one
    /// utterance to the next, so the same text would give different samples each time. A copy of
    /// the voice definition with `flutter 0` and `roughness 8` (off) makes synthesis a function
    /// of (text, voice, rate) only; the files are written once per process to a temp directory.
    /// A variant (`+m2`) is appended to its base voice's definition, without its own name and
    /// language lines, as espeak-ng itself loads variants.
    private func deterministicVoiceFile(for fullName: String) throws -> String {
        if let path = voiceFiles[fullName] { return path }
        let parts = fullName.split(separator: "+", maxSplits: 1).map(String.init)
        let name = parts.first ?? fullName
        var dataPath: UnsafePointer<CChar>?
        _ = espeak_Info(&dataPath)
        guard let dataPath, let voices = espeak_ListVoices(nil) else {
            throw SpeechError("espeak-ng has no voice list (is espeak-ng-data installed? `make setup`)")
        }
        let root = String(cString: dataPath)
        var identifier: String?
        var index = 0
        while let entry = voices[index] {
            index += 1
            guard let id = entry.pointee.identifier.map({ String(cString: $0) }) else { continue }
            let file = id.split(separator: "/").last.map(String.init) ?? id
            let display = entry.pointee.name.map { String(cString: $0) } ?? ""
            if file.lowercased() == name.lowercased() || display == name {
                identifier = id
                break
            }
        }
        guard let identifier,
              let definition = ["lang", "voices"].lazy
                  .compactMap({ FileManager.default.contents(atPath: "\(root)/\($0)/\(identifier)") }).first
        else {
            throw SpeechError("espeak-ng has no voice '\(name)' (see `espeak-ng --voices`)")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("voicegate-espeak-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // espeak-ng reads "+" in a voice file name as a variant, so the file is named without it.
        let path = directory.appendingPathComponent(fullName.replacingOccurrences(of: "+", with: "_")).path
        var bytes = definition
        if parts.count == 2 {
            guard !parts[1].contains("/"),
                  let variant = FileManager.default.contents(atPath: "\(root)/voices/!v/\(parts[1])") else {
                throw SpeechError("espeak-ng has no voice variant '\(parts[1])' (see `espeak-ng --voices=variant`)")
            }
            let lines = String(decoding: variant, as: UTF8.self).split(separator: "\n").filter { line in
                let keyword = line.split(separator: " ").first ?? ""
                return keyword != "name" && keyword != "language"
            }
            bytes.append(contentsOf: Array(("\n" + lines.joined(separator: "\n")).utf8))
        }
        bytes.append(contentsOf: Array("\nflutter 0\nroughness 8\n".utf8))
        guard FileManager.default.createFile(atPath: path, contents: bytes) else {
            throw SpeechError("cannot write voice file \(path)")
        }
        voiceFiles[fullName] = path
        return path
    }

    /// Initialises libespeak-ng once in synchronous mode; returns its native sample rate.
    private func initialise() throws -> Int {
        if let nativeRate { return nativeRate }
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, nil, Int32(espeakINITIALIZE_DONT_EXIT))
        guard rate > 0 else {
            throw SpeechError("espeak-ng could not initialise (is espeak-ng-data installed? `make setup`)")
        }
        espeak_SetSynthCallback { wav, count, events in
            guard let events, let userData = events.pointee.user_data else { return 0 }
            let sink = Unmanaged<SampleSink>.fromOpaque(userData).takeUnretainedValue()
            if let wav, count > 0 {
                sink.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count)))
            }
            return 0  // 0: continue synthesis
        }
        nativeRate = Int(rate)
        return Int(rate)
    }
}

/// Where the C callback puts samples during one `espeak_Synth` call; only touched inside the actor.
private final class SampleSink {
    var samples: [Int16] = []
}
