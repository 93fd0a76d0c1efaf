import Testing
import VoiceGateDSP

/// The Swift log-mel features must equal the training script's, or the model sees other input.
@Suite struct LogMelFeaturesTests {
    @Test func matchesTheTrainingScriptOnAFixedSignal() {
        let samples = LogMelFixture.signal()
        let frames = LogMelFeatures.frameCount(sampleCount: samples.count)
        #expect(frames * LogMelFeatures.bandCount == LogMelFixture.expected.count)
        var extractor = LogMelFeatures()
        var out = [Float](repeating: 0, count: LogMelFeatures.bandCount * frames)
        samples.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { _ = extractor.compute(input, into: $0, stride: frames) }
        }
        var worst: Float = 0
        for t in 0..<frames {
            for m in 0..<LogMelFeatures.bandCount {
                worst = max(worst, abs(out[m * frames + t] - LogMelFixture.expected[t * LogMelFeatures.bandCount + m]))
            }
        }
        #expect(worst < 2e-3, "largest difference \(worst)")
    }

    @Test func silenceGivesTheFloorAndLouderGivesMore() {
        var extractor = LogMelFeatures()
        let quiet = [Int16](repeating: 0, count: 400)
        let loud = (0..<400).map { Int16(($0 % 16) < 8 ? 8000 : -8000) }
        var a = [Float](repeating: 0, count: 40 * 3), b = a
        quiet.withUnsafeBufferPointer { q in a.withUnsafeMutableBufferPointer { _ = extractor.compute(q, into: $0, stride: 3) } }
        loud.withUnsafeBufferPointer { q in b.withUnsafeMutableBufferPointer { _ = extractor.compute(q, into: $0, stride: 3) } }
        #expect(abs(a[0] - (-13.8155)) < 1e-3)
        #expect(b.max()! > a.max()! + 10)
    }
}
