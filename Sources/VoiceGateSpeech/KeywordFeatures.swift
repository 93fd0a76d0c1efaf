import VoiceGateDSP

/// The keyword network's input for one utterance: log-mel features at 8 kHz, each band
/// normalised over the utterance as the model was trained (`KeywordModel.normalisation`).
/// Shared by the unit classifier and the enrolled phrases' template matcher so both see the
/// same features.
enum KeywordFeatures {
    /// How each band is normalised over the utterance (the model file's `features.normalise`).
    enum Normalisation: Sendable, Equatable {
        /// The band's mean removed (level and channel independence).
        case mean
        /// The mean removed and the band divided by its standard deviation (plus `floor` in the
        /// variance, so a flat band is not blown up): the speech's contrast over the noise floor
        /// no longer depends on the SNR.
        case meanAndVariance(floor: Float)
    }

    /// Band-major features (`[band * frames + frame]`) of `samples`, normalised, and their frame
    /// count; nil when the audio is shorter than a few frames.
    static func normalised(_ samples: [Int16], sampleRate: Int,
                           normalisation: Normalisation = .mean) -> (features: [Float], frames: Int)? {
        guard let (raw, frames) = logMel(samples, sampleRate: sampleRate) else { return nil }
        var features = raw
        normalise(&features, frames: frames, normalisation)
        return (features, frames)
    }

    /// Band-major log-mel features of `samples` before normalisation, and their frame count; nil
    /// when the audio is shorter than a few frames. An ensemble whose networks normalise
    /// differently computes these once and normalises a copy per network.
    static func logMel(_ samples: [Int16], sampleRate: Int) -> (features: [Float], frames: Int)? {
        let audio = sampleRate == LogMelFeatures.sampleRate
            ? samples : Resampler.convert(samples, from: sampleRate, to: LogMelFeatures.sampleRate)
        let frames = LogMelFeatures.frameCount(sampleCount: audio.count)
        guard frames >= 8 else { return nil }
        var extractor = LogMelFeatures()
        var features = [Float](repeating: 0, count: LogMelFeatures.bandCount * frames)
        audio.withUnsafeBufferPointer { input in
            features.withUnsafeMutableBufferPointer { _ = extractor.compute(input, into: $0, stride: frames) }
        }
        return (features, frames)
    }

    /// Normalises each band of `features` (band-major, `frames` per band) over the utterance.
    static func normalise(_ features: inout [Float], frames: Int, _ normalisation: Normalisation) {
        features.withUnsafeMutableBufferPointer { out in
            for m in 0..<LogMelFeatures.bandCount {
                let band = out.baseAddress! + m * frames
                var sum: Float = 0
                for t in 0..<frames { sum += band[t] }
                let mean = sum / Float(frames)
                for t in 0..<frames { band[t] -= mean }
                if case .meanAndVariance(let floor) = normalisation {
                    var squares: Float = 0
                    for t in 0..<frames { squares += band[t] * band[t] }
                    let scale = 1 / (squares / Float(frames) + floor).squareRoot()
                    for t in 0..<frames { band[t] *= scale }
                }
            }
        }
    }
}
