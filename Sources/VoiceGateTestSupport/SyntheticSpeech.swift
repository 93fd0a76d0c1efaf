import Foundation

/// Deterministic test signals for the VAD and endpointer: speech-like harmonic syllables,
/// noise and clicks, built in float (full scale = 1.0) and converted to Int16 at the end.
public enum SyntheticSpeech {
    /// A small deterministic generator (SplitMix64), so fixtures are identical on every run.
    public struct Random: Sendable {
        private var state: UInt64
        /// A generator started at `seed`.
        public init(seed: UInt64) { state = seed }
        /// Uniform in [0, 1).
        public mutating func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
        /// Approximately standard normal (sum of 12 uniforms).
        public mutating func gaussian() -> Double {
            var s = 0.0
            for _ in 0..<12 { s += uniform() }
            return s - 6
        }
    }

    /// Speech-like sound: syllables of 120–220 ms (harmonics of a gliding 110–220 Hz pitch up
    /// to 3.4 kHz, raised-cosine envelopes) separated by 20–50 ms dips, with RMS `levelDBFS`.
    public static func syllables(duration: Double, sampleRate: Int, levelDBFS: Double = -20,
                                 seed: UInt64 = 1) -> [Double] {
        var rng = Random(seed: seed)
        let n = Int(duration * Double(sampleRate))
        var out = [Double](repeating: 0, count: n)
        var pos = 0
        while pos < n {
            let sylLen = min(n - pos, Int((0.12 + 0.10 * rng.uniform()) * Double(sampleRate)))
            let f0 = 110 + 110 * rng.uniform()
            let glide = 0.8 + 0.4 * rng.uniform()
            var phase = 0.0
            for k in 0..<sylLen {
                let t = Double(k) / Double(sylLen)
                let f = f0 * (1 + (glide - 1) * t)
                phase += 2 * Double.pi * f / Double(sampleRate)
                let env = 0.5 - 0.5 * cos(2 * Double.pi * t)
                var v = 0.0
                var h = 1.0
                while h * f < 3400 && h * f < 0.45 * Double(sampleRate) {
                    v += sin(h * phase) / h
                    h += 1
                }
                out[pos + k] = env * v
            }
            pos += sylLen + Int((0.02 + 0.03 * rng.uniform()) * Double(sampleRate))
        }
        return scaled(out, toRMSDBFS: levelDBFS, over: out.filter { $0 != 0 })
    }

    /// White Gaussian noise with RMS `levelDBFS`.
    public static func whiteNoise(duration: Double, sampleRate: Int, levelDBFS: Double, seed: UInt64 = 2) -> [Double] {
        var rng = Random(seed: seed)
        let amp = pow(10, levelDBFS / 20)
        return (0..<Int(duration * Double(sampleRate))).map { _ in amp * rng.gaussian() }
    }

    /// `signal` padded with `lead` and `trail` seconds of silence.
    public static func padded(_ signal: [Double], lead: Double, trail: Double, sampleRate: Int) -> [Double] {
        [Double](repeating: 0, count: Int(lead * Double(sampleRate))) + signal
            + [Double](repeating: 0, count: Int(trail * Double(sampleRate)))
    }

    /// Element-wise sum (the shorter signal is zero-extended).
    public static func mix(_ a: [Double], _ b: [Double]) -> [Double] {
        (0..<max(a.count, b.count)).map { (($0 < a.count) ? a[$0] : 0) + (($0 < b.count) ? b[$0] : 0) }
    }

    /// Adds white noise at `snrDB` below the RMS of `speech`'s non-silent samples.
    public static func addNoise(to speech: [Double], snrDB: Double, sampleRate: Int, seed: UInt64 = 3) -> [Double] {
        let active = speech.filter { abs($0) > 1e-6 }
        let level = 10 * log10(active.map { $0 * $0 }.reduce(0, +) / Double(max(1, active.count)))
        let noise = whiteNoise(duration: Double(speech.count) / Double(sampleRate), sampleRate: sampleRate,
                               levelDBFS: level - snrDB, seed: seed)
        return mix(speech, noise)
    }

    /// Float (full scale 1.0) to clipped Int16.
    public static func pcm(_ x: [Double]) -> [Int16] {
        x.map { Int16(max(-32768, min(32767, ($0 * 32768).rounded()))) }
    }

    /// Int16 to float (full scale 1.0).
    public static func float(_ x: [Int16]) -> [Double] { x.map { Double($0) / 32768 } }

    private static func scaled(_ x: [Double], toRMSDBFS level: Double, over active: [Double]) -> [Double] {
        let power = active.map { $0 * $0 }.reduce(0, +) / Double(max(1, active.count))
        guard power > 0 else { return x }
        let g = pow(10, level / 20) / power.squareRoot()
        return x.map { $0 * g }
    }

    /// Speech from `espeak-ng` (en-us) resampled by `sox` to mono 16-bit at `sampleRate`, as
    /// floats; nil if either tool is missing (`make setup` installs both). No dither (`-D`),
    /// so the fixture is the same bytes every run.
    public static func espeak(_ text: String, sampleRate: Int) -> [Double]? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vg-espeak-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("raw.wav").path
        let out = dir.appendingPathComponent("out.raw").path
        guard run("espeak-ng", ["-v", "en-us", "-w", raw, text]),
              run("sox", ["-D", raw, "-r", "\(sampleRate)", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", out]),
              let data = FileManager.default.contents(atPath: out) else { return nil }
        let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        return float(samples)
    }

    /// Runs `tool` (found on PATH) with `args`, output discarded; true when it exits 0.
    static func run(_ tool: String, _ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
