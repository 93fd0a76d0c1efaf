import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDSP
import VoiceGateMedia

/// `voicegate bench`: what one call's front end costs per 20 ms frame — decode (PCMU, Opus)
/// + energy VAD/endpointer + DTMF detector — and how many calls one core sustains in real
/// time. Numbers are medians over repeated passes (these machines are noisy). The default
/// subcommand of `BenchGroupCommand`, so `voicegate bench [files] --passes N` runs it.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "front-end",
        abstract: "Measure the front end's cost per 20 ms frame (see BENCHMARKS.md).")

    @Argument(help: "Audio to run (mono 8/16 kHz WAVs); default: a generated 60 s call with speech-like sound, noise and keys.")
    var files: [String] = []

    @Option(help: "Passes over the audio; the median pass is reported.")
    var passes = 15

    @Option(help: "Also write the audio measured to this WAV (so the C anchors can run the same frames).")
    var saveAudio: String?

    func run() async throws {
        var pcm: [Int16] = []
        for file in files {
            do { pcm += try WAVFile.read(path: file).resampled(to: 8000).samples } catch let error as WAVError {
                throw ValidationError(error.description)
            }
        }
        if pcm.isEmpty { pcm = Self.generatedCall(seconds: 60) }
        let frame = CallFrontEnd.frameSamples
        let frameCount = pcm.count / frame
        pcm = Array(pcm.prefix(frameCount * frame))
        if let saveAudio { try WAVFile.write(AudioClip(sampleRate: 8000, samples: pcm), to: saveAudio) }

        // Encoded inputs prepared outside the timed loops.
        var ulaw = [UInt8](repeating: 0, count: pcm.count)
        pcm.withUnsafeBufferPointer { i in ulaw.withUnsafeMutableBufferPointer { o in G711.ulawEncode(i, into: o) } }
        let opus = try OpusCodec(pcmSampleRate: 8000)
        var opusPackets: [[UInt8]] = []
        var packet = [UInt8](repeating: 0, count: 1500)
        for k in 0..<frameCount {
            let n = try pcm.withUnsafeBufferPointer { all in
                try packet.withUnsafeMutableBufferPointer { out in
                    try opus.encode(UnsafeBufferPointer(rebasing: all[k * frame..<(k + 1) * frame]), into: out)
                }
            }
            opusPackets.append(Array(packet.prefix(n)))
        }

        var out = [Int16](repeating: 0, count: frame)
        var sink = 0
        let pcmu = measure(frames: frameCount) {
            var codec = G711Codec(law: .ulaw)
            ulaw.withUnsafeBufferPointer { all in
                out.withUnsafeMutableBufferPointer { o in
                    for k in 0..<frameCount { sink &+= (try? codec.decode(UnsafeBufferPointer(rebasing: all[k * frame..<(k + 1) * frame]), into: o)) ?? 0 }
                }
            }
        }
        let opusDecoder = try OpusCodec(pcmSampleRate: 8000)
        let opusCost = measure(frames: frameCount) {
            out.withUnsafeMutableBufferPointer { o in
                for p in opusPackets {
                    p.withUnsafeBufferPointer { sink &+= (try? opusDecoder.decode($0, into: o)) ?? 0 }
                }
            }
        }
        let vad = measure(frames: frameCount) {
            var endpointer = Endpointer(sampleRate: 8000)
            pcm.withUnsafeBufferPointer { all in
                for k in 0..<(frameCount * 2) {
                    if endpointer.process(frame: UnsafeBufferPointer(rebasing: all[k * 80..<(k + 1) * 80])) != nil { sink &+= 1 }
                }
            }
        }
        let dtmf = measure(frames: frameCount) {
            var detector = DTMFDetector(sampleRate: 8000)
            pcm.withUnsafeBufferPointer { all in
                for k in 0..<frameCount {
                    detector.process(UnsafeBufferPointer(rebasing: all[k * frame..<(k + 1) * frame])) { _ in sink &+= 1 }
                }
            }
        }
        let frontEnd = measure(frames: frameCount) { sink &+= Self.runFrontEnd(ulaw: ulaw, into: &out) }
        let frameNs = 20_000_000.0
        let report: [String: Any] = [
            "frames": frameCount,
            "audio_s": Double(frameCount) / 50,
            "passes": passes,
            "ns_per_frame": [
                "pcmu_decode": round1(pcmu), "opus_decode_8k": round1(opusCost),
                "vad_endpointer": round1(vad), "dtmf": round1(dtmf),
                "front_end_pcmu": round1(frontEnd),
                "front_end_opus": round1(opusCost + vad + dtmf),
            ],
            "calls_per_core_realtime": [
                "pcmu": Int(frameNs / frontEnd), "opus": Int(frameNs / (opusCost + vad + dtmf)),
            ],
            "sink": sink & 1,
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// Median nanoseconds per frame over `passes` runs of `body` (one warm-up run first).
    func measure(frames: Int, _ body: () -> Void) -> Double {
        Self.medianSeconds(passes: passes, body) * 1e9 / Double(frames)
    }

    /// Median wall-clock seconds of `passes` runs of `body`, after one warm-up run.
    static func medianSeconds(passes: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<max(1, passes) {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// One call's front end over μ-law audio, frame by frame as the media loop runs it: PCMU
    /// decode, then VAD/endpointer and DTMF (`CallFrontEnd`). Returns the events seen (so the
    /// work cannot be optimised away); `out` is the frame buffer, one frame long.
    static func runFrontEnd(ulaw: [UInt8], into out: inout [Int16]) -> Int {
        let frame = CallFrontEnd.frameSamples
        var codec = G711Codec(law: .ulaw)
        var front = CallFrontEnd()
        var events = 0
        ulaw.withUnsafeBufferPointer { all in
            out.withUnsafeMutableBufferPointer { o in
                for k in 0..<(all.count / frame) {
                    _ = try? codec.decode(UnsafeBufferPointer(rebasing: all[k * frame..<(k + 1) * frame]), into: o)
                    front.process(UnsafeBufferPointer(o)) { _ in events &+= 1 }
                }
            }
        }
        return events
    }

    func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }

    /// A call-like signal: syllable-rate modulated harmonics (speech-like), pauses, line noise
    /// and a few keys, so every detector does its real work.
    static func generatedCall(seconds: Double) -> [Int16] {
        let rate = 8000
        var signal = ToneGenerator.noise(.pink, duration: seconds, level: -55, seed: 7)
        var t = 0.5
        var digitIndex = 0
        let digits = Array("1234567890*#")
        while t < seconds - 2 {
            var burst = [Int16](repeating: 0, count: Int(1.2 * Double(rate)))
            for i in 0..<burst.count {
                let time = Double(i) / Double(rate)
                let envelope = max(0, sin(Double.pi * 4 * time))  // ~4 syllables per second
                let f0 = 120 + 20 * sin(2 * Double.pi * 0.7 * time)
                var v = 0.0
                for h in 1...12 { v += sin(2 * Double.pi * f0 * Double(h) * time) / Double(h) }
                burst[i] = Int16(clamping: Int(3000 * envelope * v))
            }
            signal = ToneGenerator.mix(signal, burst, offset: Int(t * Double(rate)))
            t += 2.0
            let key = ToneGenerator.dtmf(DTMFDigit(rawValue: digits[digitIndex % digits.count])!, duration: 0.1, level: -10)
            signal = ToneGenerator.mix(signal, key, offset: Int(t * Double(rate)))
            digitIndex += 1
            t += 1.0
        }
        return Array(signal.prefix(Int(seconds * Double(rate))))
    }
}
