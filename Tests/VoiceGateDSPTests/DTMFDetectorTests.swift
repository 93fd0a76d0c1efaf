import Foundation
import Testing
import VoiceGateDSP

/// Silence either side so the detector sees the tone begin and end.
private func padded(_ x: [Int16], lead: Double = 0.2, trail: Double = 0.2) -> [Int16] {
    ToneGenerator.silence(duration: lead) + x + ToneGenerator.silence(duration: trail)
}

private func digits(_ events: [DTMFEvent]) -> String { String(events.map(\.digit.rawValue)) }

private func detect(_ x: [Int16]) -> String { digits(DTMFDetector.detect(in: x)) }

@Suite struct DTMFDetectorTests {
    @Test(arguments: DTMFDigit.allCases)
    func everyDigitIsDetectedOnceWithItsTimes(digit: DTMFDigit) {
        let events = DTMFDetector.detect(in: padded(ToneGenerator.dtmf(digit, duration: 0.1, level: -10)))
        #expect(events.count == 1)
        #expect(events.first?.digit == digit)
        // Tone is 0.2...0.3 s; events are on the 10 ms grid.
        if let e = events.first, let end = e.end {
            #expect(abs(e.start - 0.2) <= 0.011)
            #expect(abs(end - 0.3) <= 0.011)
        }
    }

    @Test func digitStringWithAllKeys() {
        let keys = "123A456B789C*0#D"
        let x = padded(ToneGenerator.dtmf(digits: keys, toneDuration: 0.05, gap: 0.05, level: -15))
        #expect(detect(x) == keys)
    }

    @Test(arguments: [0.0, 0.003, 0.0071])
    func fortyMillisecondsIsDetectedAtAnyAlignment(offset: Double) {
        let x = padded(ToneGenerator.dtmf(.seven, duration: 0.04, level: -20), lead: 0.2 + offset)
        #expect(detect(x) == "7")
    }

    @Test(arguments: [0.0, 0.003, 0.0071])
    func twentyMillisecondsIsRejected(offset: Double) {
        let x = padded(ToneGenerator.dtmf(.seven, duration: 0.02, level: -10), lead: 0.2 + offset)
        #expect(detect(x) == "")
    }

    @Test func twentyMillisecondsInNoiseIsRejected() {
        // Light noise must not push a 20 ms tone over the 30 ms confirmation (its three halves are
        // at best 50%/100%/50% filled, 6 dB apart) at any alignment.
        var found = ""
        for step in 0..<10 {
            let tones = padded(ToneGenerator.dtmf(digits: "7", toneDuration: 0.02, gap: 0, level: -10),
                               lead: 0.2 + 0.001 * Double(step))
            let noise = ToneGenerator.noise(.white, duration: Double(tones.count) / 8000, level: -10 + 3.01 - 20,
                                            seed: UInt64(step + 1))
            found += detect(ToneGenerator.mix(tones, noise))
        }
        #expect(found == "")
    }

    @Test func levelLimits() {
        #expect(detect(padded(ToneGenerator.dtmf(digits: "159", toneDuration: 0.05, gap: 0.05, level: -26))) == "159")
        // The threshold is −36 dBm0 per tone (as spandsp's relaxed setting); well below it nothing.
        #expect(detect(padded(ToneGenerator.dtmf(digits: "159", toneDuration: 0.05, gap: 0.05, level: -42))) == "")
    }

    @Test(arguments: [4.0, -8.0])
    func twistWithinQ24IsAccepted(twist: Double) {
        let x = padded(ToneGenerator.dtmf(digits: "3#8", toneDuration: 0.05, gap: 0.05, level: -20, twist: twist))
        #expect(detect(x) == "3#8")
    }

    @Test(arguments: [8.0, -12.0])
    func excessiveTwistIsRejected(twist: Double) {
        let x = padded(ToneGenerator.dtmf(digits: "3#8", toneDuration: 0.05, gap: 0.05, level: -10, twist: twist))
        #expect(detect(x) == "")
    }

    @Test(arguments: [0.015, -0.015])
    func smallFrequencyDeviationIsAccepted(deviation: Double) {
        let keys = "123A456B789C*0#D"
        let x = padded(ToneGenerator.dtmf(digits: keys, toneDuration: 0.05, gap: 0.05, level: -10,
                                          frequencyDeviation: deviation))
        #expect(detect(x) == keys)
    }

    @Test(arguments: [0.035, -0.035])
    func largeFrequencyDeviationIsRejected(deviation: Double) {
        let x = padded(ToneGenerator.dtmf(digits: "123A456B789C*0#D", toneDuration: 0.1, gap: 0.05, level: -10,
                                          frequencyDeviation: deviation))
        #expect(detect(x) == "")
    }

    @Test func longToneIsOneDigit() {
        let events = DTMFDetector.detect(in: padded(ToneGenerator.dtmf(.zero, duration: 2, level: -10)))
        #expect(digits(events) == "0")
        #expect(abs((events.first?.end ?? 0) - 2.2) <= 0.011)
    }

    @Test func sameDigitTwiceAfterAGap() {
        #expect(detect(padded(ToneGenerator.dtmf(digits: "55", toneDuration: 0.06, gap: 0.04, level: -10))) == "55")
        #expect(detect(padded(ToneGenerator.dtmf(digits: "555", toneDuration: 0.05, gap: 0.03, level: -10))) == "555")
    }

    @Test func shortDropoutDoesNotSplitADigit() {
        let x = padded(ToneGenerator.dtmf(digits: "55", toneDuration: 0.1, gap: 0.01, level: -10))
        #expect(detect(x) == "5")
    }

    @Test(arguments: [ToneGenerator.NoiseColor.white, .pink])
    func digitsInNoiseAtTenDecibels(color: ToneGenerator.NoiseColor) {
        // SNR relative to the tone power: both tones at −20 dBm0 → −17 dBm0 of tone; noise 10 dB below.
        let keys = "0123456789*#"
        let tones = padded(ToneGenerator.dtmf(digits: keys, toneDuration: 0.05, gap: 0.05, level: -20), lead: 0.5)
        let noise = ToneGenerator.noise(color, duration: Double(tones.count) / 8000, level: -20 + 3.01 - 10, seed: 42)
        #expect(detect(ToneGenerator.mix(tones, noise)) == keys)
    }

    @Test(arguments: [ToneGenerator.NoiseColor.white, .pink])
    func digitsInNoiseAtFiveDecibels(color: ToneGenerator.NoiseColor) {
        let keys = "0123456789*#"
        let tones = padded(ToneGenerator.dtmf(digits: keys, toneDuration: 0.05, gap: 0.05, level: -20), lead: 0.5)
        let noise = ToneGenerator.noise(color, duration: Double(tones.count) / 8000, level: -20 + 3.01 - 5, seed: 7)
        #expect(detect(ToneGenerator.mix(tones, noise)) == keys)
    }

    @Test(arguments: [0.0, 0.002, 0.005, 0.008])
    func dropoutInNoiseDoesNotSplitADigit(offset: Double) {
        // A 210 ms key press with a 10 ms drop-out in white noise 10 dB below the tones: the
        // windows around the drop-out fail in noise, but the tone never falls silent for two
        // half-blocks, so it stays one digit. Several noise draws, as a split depends on them.
        var found: [String] = []
        for seed in UInt64(1)...6 {
            let tones = padded(ToneGenerator.dtmf(digits: "55", toneDuration: 0.1, gap: 0.01, level: -20),
                               lead: 0.3 + offset)
            let noise = ToneGenerator.noise(.white, duration: Double(tones.count) / 8000, level: -20 + 3.01 - 10,
                                            seed: seed)
            found.append(detect(ToneGenerator.mix(tones, noise)))
        }
        #expect(found == Array(repeating: "5", count: 6))
    }

    @Test func sameDigitAfterAGapInNoiseIsTwoDigits() {
        // The silence test that keeps a digit through drop-outs must still see a 30 ms gap in noise.
        let tones = padded(ToneGenerator.dtmf(digits: "555", toneDuration: 0.05, gap: 0.03, level: -20), lead: 0.5)
        let noise = ToneGenerator.noise(.white, duration: Double(tones.count) / 8000, level: -20 + 3.01 - 10, seed: 3)
        #expect(detect(ToneGenerator.mix(tones, noise)) == "555")
    }

    @Test func streamingInAnyChunksEqualsOneBuffer() {
        let tones = padded(ToneGenerator.dtmf(digits: "8#02*", toneDuration: 0.07, gap: 0.06, level: -15), lead: 0.3)
        let x = ToneGenerator.mix(tones, ToneGenerator.noise(.white, duration: 2, level: -35, seed: 5))
        var whole = DTMFDetector()
        var reference: [DTMFEvent] = []
        x.withUnsafeBufferPointer { whole.process($0) { reference.append($0) } }
        whole.finish { reference.append($0) }
        #expect(reference.count == 10)  // began + ended per digit
        for sizes in [[160], [1], [7, 13, 101], [80], [333, 1]] {
            var detector = DTMFDetector()
            var events: [DTMFEvent] = []
            var start = 0, k = 0
            x.withUnsafeBufferPointer { all in
                while start < all.count {
                    let n = min(sizes[k % sizes.count], all.count - start)
                    events += detector.process(UnsafeBufferPointer(rebasing: all[start..<start + n]))
                    start += n
                    k += 1
                }
            }
            detector.finish { events.append($0) }
            #expect(events == reference, "chunk sizes \(sizes)")
        }
    }

    @Test func beganComesBeforeEndedAndBeganIsEarly() {
        var detector = DTMFDetector()
        let x = padded(ToneGenerator.dtmf(.four, duration: 0.5, level: -10))
        var seen: [(DTMFEvent, Int)] = []
        x.withUnsafeBufferPointer { all in
            for frame in stride(from: 0, to: all.count, by: 160) {
                let chunk = UnsafeBufferPointer(rebasing: all[frame..<min(frame + 160, all.count)])
                detector.process(chunk) { seen.append(($0, frame)) }
            }
        }
        #expect(seen.map(\.0.kind) == [.began, .ended])
        // Began is reported within 40 ms of the tone's start (0.2 s), for barge-in.
        if let began = seen.first { #expect(Double(began.1 + 160) / 8000 <= 0.24 + 0.02) }
    }

    @Test func silenceAndNoiseGiveNothing() {
        #expect(detect(ToneGenerator.silence(duration: 2)) == "")
        for seed in UInt64(1)...3 {
            #expect(detect(ToneGenerator.noise(.white, duration: 3, level: -15, seed: seed)) == "")
            #expect(detect(ToneGenerator.noise(.pink, duration: 3, level: -15, seed: seed)) == "")
        }
    }

    @Test func musicGivesNothing() {
        // Chords of equal-tempered notes with harmonics, including notes next to DTMF frequencies
        // (F5 698 Hz, E6 1319 Hz, F#6 1480 Hz), and sweeps across the DTMF band.
        func note(_ midi: Int) -> Double { 440 * pow(2, Double(midi - 69) / 12) }
        let chords: [[Int]] = [[77, 88], [77, 81, 84], [78, 90], [79, 83, 86], [65, 77, 88, 90], [72, 76, 79], [81, 88, 93]]
        var music: [Int16] = []
        for chord in chords {
            var mixture = [Int16](repeating: 0, count: 2400)
            for midi in chord {
                for harmonic in 1...4 {
                    let f = note(midi) * Double(harmonic)
                    guard f < 3800 else { continue }
                    mixture = ToneGenerator.mix(mixture, ToneGenerator.beep(frequency: f, duration: 0.3,
                                                                           level: -12 - 6 * Double(harmonic - 1)))
                }
            }
            music += mixture
        }
        var sweep = [Int16](repeating: 0, count: 16000)
        var phase = 0.0
        for n in 0..<sweep.count {
            let f = 600 + 1200 * Double(n) / Double(sweep.count)
            phase += 2 * Double.pi * f / 8000
            sweep[n] = Int16(8000 * sin(phase) + 3000 * sin(2 * phase))
        }
        #expect(detect(music) == "")
        #expect(detect(sweep) == "")
    }

    @Test func speechGivesNothing() throws {
        // Half of the text × voice pairs, loud (peak −1 dBFS).
        guard let sentences = try TalkOffSpeech.render(level: ["gain", "-n", "-1"], include: { i, j in (i + j) % 2 == 0 }) else {
            Issue.record("espeak-ng and sox are needed (make setup installs them)")
            return
        }
        var found = ""
        for sentence in sentences { found += detect(sentence.samples) }
        #expect(found == "")
    }
}

func which(_ tool: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let path = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

func run(_ tool: String, _ args: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    if p.terminationStatus != 0 { throw CocoaError(.fileWriteUnknown) }
}

/// Minimal reader for the 8 kHz PCM16 files sox writes (the DSP test target has no codecs).
func readPCM16(_ path: String) throws -> [Int16] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var offset = 12
    while offset + 8 <= bytes.count {
        let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
        let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
        if id == "data" {
            let end = min(bytes.count, offset + 8 + size)
            return stride(from: offset + 8, to: end - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
        }
        offset += 8 + size + (size & 1)
    }
    throw CocoaError(.fileReadCorruptFile)
}
