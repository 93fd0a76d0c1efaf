/// What the keyword network's trunk hears in one stretch of audio: per 20 ms output step, the
/// residual stack's channels (before the class head), scaled to unit length so that the
/// dot product of two steps is their cosine similarity. Enrolled phrases are stored as these
/// (templates) and found in a caller's utterance by `KeywordTemplateMatcher`.
public struct KeywordEmbedding: Sendable, Equatable {
    /// Values per step.
    public let channels: Int
    /// Output steps (20 ms each).
    public let steps: Int
    /// Step-major values, `[step * channels + channel]`, each step of unit length.
    public let values: [Float]

    /// Seconds per step: the network's first layer halves the 10 ms feature rate.
    public static let stepSeconds = 0.02

    /// An embedding of `steps` steps of `channels` values (normalised here).
    public init(channels: Int, steps: Int, values: [Float]) {
        precondition(values.count == channels * steps)
        self.channels = channels
        self.steps = steps
        var v = values
        v.withUnsafeMutableBufferPointer { p in
            for s in 0..<steps {
                let row = p.baseAddress! + s * channels
                var sum: Float = 0
                for c in 0..<channels { sum += row[c] * row[c] }
                let scale = sum > 1e-12 ? 1 / sum.squareRoot() : 0
                for c in 0..<channels { row[c] *= scale }
            }
        }
        self.values = v
    }

    /// Steps `range` of this embedding.
    public func slice(_ range: Range<Int>) -> KeywordEmbedding {
        KeywordEmbedding(channels: channels, steps: range.count,
                         values: Array(values[(range.lowerBound * channels)..<(range.upperBound * channels)]))
    }

    /// The step whose centre is nearest `seconds` into the audio it was computed from.
    public static func step(at seconds: Double) -> Int { max(0, Int((seconds / stepSeconds).rounded(.down))) }
}

extension KeywordModel {
    /// The trunk's embedding of `samples` (mono, `sampleRate` Hz), with the same features the
    /// classifier uses; nil when the audio is shorter than a few frames.
    public func embedding(of samples: [Int16], sampleRate: Int) -> KeywordEmbedding? {
        guard let (features, frames) = KeywordFeatures.normalised(samples, sampleRate: sampleRate, normalisation: normalisation) else { return nil }
        var network = KeywordNetwork(layers: layers, maximumFrames: frames)
        let (channelMajor, channels, steps) = features.withUnsafeBufferPointer { network.embeddings(features: $0, frames: frames) }
        guard steps > 0 else { return nil }
        var stepMajor = [Float](repeating: 0, count: channels * steps)
        for c in 0..<channels {
            for s in 0..<steps { stepMajor[s * channels + c] = channelMajor[c * steps + s] }
        }
        return KeywordEmbedding(channels: channels, steps: steps, values: stepMajor)
    }

    /// Identifies the weights (FNV-1a over classes and parameters): enrolled templates are only
    /// valid for the model that made them.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for name in classes { for b in name.utf8 { mix(b) }; mix(0) }
        for layer in layers {
            for value in layer.weights + layer.bias {
                let bits = value.bitPattern
                for shift in stride(from: 0, to: 32, by: 8) { mix(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
