import Foundation
import Testing
import VoiceGateSpeech

/// The offline resampler keeps in-band tones and removes what the output rate cannot carry.
@Suite struct SincResamplerTests {
    func tone(_ hz: Double, rate: Int, seconds: Double, amplitude: Double = 10000) -> [Int16] {
        (0..<Int(Double(rate) * seconds)).map { Int16(amplitude * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
    }

    func rms(_ x: ArraySlice<Int16>) -> Double {
        (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    @Test(arguments: [(22050, 8000), (22050, 16000), (16000, 8000), (8000, 16000)])
    func passbandToneKeepsLevelAndLength(rates: (Int, Int)) {
        let (from, to) = rates
        let input = tone(1000, rate: from, seconds: 0.5)
        let out = SincResampler(from: from, to: to).process(input)
        #expect(out.count == to / 2)
        let level = rms(out[out.count / 4..<out.count * 3 / 4]) / rms(input[input.count / 4..<input.count * 3 / 4])
        #expect(abs(level - 1) < 0.01, "gain \(level)")
        // Output sample n should match the tone at time n / to (no delay, no distortion).
        let expected = tone(1000, rate: to, seconds: 0.5)
        let err = zip(out, expected).dropFirst(out.count / 4).prefix(out.count / 2).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(err < 60, "max error \(err)")
    }

    @Test func toneAboveTelephoneBandIsRemovedAt8kHz() {
        // 5 kHz would alias to 3 kHz at 8 kHz output if not filtered.
        let out = SincResampler(from: 22050, to: 8000).process(tone(5000, rate: 22050, seconds: 0.5))
        #expect(rms(out[out.count / 4..<out.count * 3 / 4]) < 10)
    }
}
