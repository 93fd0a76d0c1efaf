import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDSP

/// `voicegate dtmf FILE.wav...` (DESIGN.md section 5): the in-band DTMF digits in each file.
///
/// One JSON line per readable file: `{"file":..,"digits":"12#","events":[{"digit":"1","start_s":..,"end_s":..}]}`.
/// Unreadable files are reported on stderr as `voicegate: <file>: <reason>`; the others are still
/// processed and the exit status is non-zero if any failed.
struct DTMFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtmf",
        abstract: "Detect in-band DTMF digits (ITU-T Q.24) in WAV files; one JSON line per file.")

    @Argument(help: "WAV files: mono, 8 or 16 kHz, 16-bit PCM, μ-law or A-law.")
    var files: [String]

    @Option(name: .customLong("bench"), help: "Instead of detecting: run the detector over all files N times in 20 ms frames and print {\"ns_per_20ms_frame\":..}.")
    var benchRepeats: Int?

    func run() async throws {
        if let repeats = benchRepeats { return try bench(repeats: repeats) }
        var failed = false
        for file in files {
            do {
                let clip = try WAVFile.read(path: file)
                let samples = clip.resampled(to: 8000).samples
                let events = DTMFDetector.detect(in: samples)
                print(try Self.jsonLine(file: file, events: events))
            } catch {
                failed = true
                FileHandle.standardError.write(Data("voicegate: \(Self.describe(error, file: file))\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// Speed of the detector alone on 8 kHz audio fed in 160-sample frames, like the RTP path.
    func bench(repeats: Int) throws {
        let clips = try files.map { path -> [Int16] in
            let clip = try WAVFile.read(path: path)
            return clip.resampled(to: 8000).samples
        }
        var detector = DTMFDetector()
        var frames = 0, digits = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<max(repeats, 1) {
                for clip in clips {
                    clip.withUnsafeBufferPointer { all in
                        var start = 0
                        while start + 160 <= all.count {
                            detector.process(UnsafeBufferPointer(rebasing: all[start..<start + 160])) { if $0.kind == .ended { digits += 1 } }
                            start += 160
                            frames += 1
                        }
                    }
                }
            }
        }
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        print("{\"ns_per_20ms_frame\":\(String(format: "%.1f", ns / Double(max(frames, 1)))),\"frames\":\(frames),\"digits\":\(digits)}")
    }

    /// `<file>: <reason>`; `WAVError` already names its file.
    static func describe(_ error: any Error, file: String) -> String {
        if let wav = error as? WAVError { return wav.description }
        return "\(file): \(error)"
    }

    /// `{"digits":..,"events":[{"digit":..,"end_s":..,"start_s":..}],"file":..}`, times in seconds to 0.1 ms.
    static func jsonLine(file: String, events: [DTMFEvent]) throws -> String {
        func seconds(_ s: Double) -> Double { (s * 10_000).rounded() / 10_000 }
        let object: [String: Any] = [
            "file": file,
            "digits": String(events.map(\.digit.rawValue)),
            "events": events.map { e -> [String: Any] in
                ["digit": String(e.digit.rawValue), "start_s": seconds(e.start), "end_s": seconds(e.end ?? e.start)]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
