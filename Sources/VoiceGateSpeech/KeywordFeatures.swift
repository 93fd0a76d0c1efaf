import VoiceGateDSP

/// The keyword network's input for one utterance: log-mel features at 8 kHz, each band's mean
/// over the utterance removed (as in training). Shared by the unit classifier and the enrolled
/// phrases' template matcher so both see the same features.
enum KeywordFeatures {
    /// Band-major features (`[band * frames + frame]`) of `samples` and their frame count; nil
    /// when the audio is shorter than a few frames.
    static func normalised(_ samples: [Int16], sampleRate: Int) -> (features: [Float], frames: Int)? {
        let audio = sampleRate == LogMelFeatures.sampleRate
            ? samples : Resampler.convert(samples, from: sampleRate, to: LogMelFeatures.sampleRate)
        let frames = LogMelFeatures.frameCount(sampleCount: audio.count)
        guard frames >= 8 else { return nil }
        var extractor = LogMelFeatures()
        var features = [Float](repeating: 0, count: LogMelFeatures.bandCount * frames)
        audio.withUnsafeBufferPointer { input in
            features.withUnsafeMutableBufferPointer { out in
                extractor.compute(input, into: out, stride: frames)
                for m in 0..<LogMelFeatures.bandCount {
                    var sum: Float = 0
                    for t in 0..<frames { sum += out[m * frames + t] }
                    let mean = sum / Float(frames)
                    for t in 0..<frames { out[m * frames + t] -= mean }
                }
            }
        }
        return (features, frames)
    }
}
