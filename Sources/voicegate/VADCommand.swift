import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDSP

/// `voicegate vad FILE...` (DESIGN.md section 5): speech segments of each WAV file, one JSON
/// object per file on stdout.
struct VADCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vad",
        abstract: "Find speech in WAV files with the energy VAD.",
        discussion: """
            Prints one JSON line per file: {"file":..,"segments":[[start_s,end_s],...]}.
            Segments are the VAD's own speech decisions, which gave the best frame accuracy: an \
            onset is confirmed after 30 ms above threshold and dated back over the rising frames \
            before it (the weak start of a word); the 250 ms hangover bridges pauses; a segment \
            ends after its last active frame plus a tail that is longer the closer the speech was \
            to the noise. Endpointer utterances (--utterances) merge pauses up to 700 ms, which \
            is right for a recogniser but not for frame accuracy.
            Bad files are reported on stderr as `voicegate: FILE: reason`; the other files are \
            still processed and the exit code is 1.
            """)

    @Argument(help: "WAV files (mono 8 or 16 kHz; 16-bit PCM, μ-law or A-law).")
    var files: [String]

    @Flag(help: "Also print the per-10 ms decisions as a string of 0/1 (\"frames\") and the times at which each onset was confirmed (\"onsets\", end of the confirming frame, s).")
    var frames = false

    @Flag(help: "Print endpointer utterances (pre-roll, trailing silence) instead of VAD segments.")
    var utterances = false

    @Option(help: "Onset threshold above the noise floor, dB.")
    var sensitivityDb: Float?
    @Option(help: "Extra threshold per dB of background fluctuation.")
    var variabilityFactor: Float?
    @Option(help: "Hysteresis inside speech, dB.")
    var hysteresisDb: Float?
    @Option(help: "Onset confirmation, ms.")
    var onsetMs: Int?
    @Option(help: "Hangover, ms.")
    var hangoverMs: Int?
    @Option(help: "Noise floor tracking time constant, ms.")
    var noiseTrackingMs: Int?
    @Option(help: "Minimum-statistics window, ms.")
    var noiseWindowMs: Int?
    @Option(help: "Rise above the floor that dates an onset back, dB.")
    var riseDb: Float?
    @Option(help: "Assumed rise of a hidden word start, dB per ms.")
    var onsetRiseDbPerMs: Float?
    @Option(help: "Longest onset back-dating, ms.")
    var maximumBackdateMs: Int?
    @Option(help: "Depth below a word's peak followed when dating a segment's end, dB.")
    var tailRangeDb: Float?
    @Option(help: "Longest tail after a segment's last active frame, ms.")
    var maximumTailMs: Int?
    @Option(help: "Assumed decay of a word's hidden end, dB per ms.")
    var tailDecayDbPerMs: Float?
    @Option(help: "Lowest noise floor, dBFS.")
    var minimumFloorDbfs: Float?

    /// The VAD configuration: defaults with any option given on the command line.
    var vadConfiguration: EnergyVAD.Configuration {
        var c = EnergyVAD.Configuration()
        if let v = sensitivityDb { c.sensitivityDB = v }
        if let v = variabilityFactor { c.variabilityFactor = v }
        if let v = hysteresisDb { c.hysteresisDB = v }
        if let v = onsetMs { c.onsetMs = v }
        if let v = hangoverMs { c.hangoverMs = v }
        if let v = noiseTrackingMs { c.noiseTrackingMs = v }
        if let v = noiseWindowMs { c.noiseWindowMs = v }
        if let v = tailRangeDb { c.tailRangeDB = v }
        if let v = maximumTailMs { c.maximumTailMs = v }
        if let v = tailDecayDbPerMs { c.tailDecayDBPerMs = v }
        if let v = riseDb { c.riseDB = v }
        if let v = onsetRiseDbPerMs { c.onsetRiseDBPerMs = v }
        if let v = maximumBackdateMs { c.maximumBackdateMs = v }
        if let v = minimumFloorDbfs { c.minimumNoiseFloorDBFS = v }
        return c
    }

    func run() async throws {
        var failed = false
        for file in files {
            do {
                let clip = try WAVFile.read(path: file)
                let line = try analyse(clip, file: file)
                FileHandle.standardOutput.write(line + Data("\n".utf8))
            } catch {
                failed = true
                FileHandle.standardError.write(Data("voicegate: \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// The JSON line for one decoded file.
    func analyse(_ clip: AudioClip, file: String) throws -> Data {
        var vad = EnergyVAD(sampleRate: clip.sampleRate, configuration: vadConfiguration)
        let decisions = vad.process(samples: clip.samples)
        let frameSeconds = Double(EnergyVAD.frameMs) / 1000
        var segments: [[Double]]
        if utterances {
            var endpointer = Endpointer(sampleRate: clip.sampleRate, vadConfiguration: vadConfiguration)
            segments = []
            var openStart: Double?
            for event in endpointer.process(samples: clip.samples) + endpointer.finish() {
                switch event {
                case .speechStarted(let at): openStart = at
                case .speechEnded(let utterance):
                    segments.append([openStart ?? utterance.speechStart, utterance.speechEnd])
                    openStart = nil
                }
            }
        } else {
            segments = vad.segments(of: decisions).map {
                [Double($0.start) * frameSeconds, Double($0.end) * frameSeconds]
            }
        }
        var object: [String: Any] = [
            "file": file,
            "segments": segments.map { $0.map { ($0 * 1000).rounded() / 1000 } },
        ]
        if frames {
            var flags = [Character](repeating: "0", count: decisions.count)
            for s in vad.segments(of: decisions) {
                for i in s.start..<s.end { flags[i] = "1" }
            }
            object["frames"] = String(flags)
            object["onsets"] = decisions.indices.filter { decisions[$0].isOnset }.map {
                (Double($0 + 1) * frameSeconds * 1000).rounded() / 1000
            }
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
