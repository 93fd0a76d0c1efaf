import VoiceGateDSP

/// Runs one of the keyword model's networks over one utterance's features: plain loops over
/// preallocated buffers (no Python, no framework), mirroring `Net.steps` in `scripts/keywords/train.py`.
struct KeywordNetwork {
    let layers: [KeywordModel.Layer]
    /// Two ping-pong activation buffers, sized for the longest layer output.
    private var a: [Float]
    private var b: [Float]
    private let capacity: Int

    /// Scratch for utterances of up to `maximumFrames` feature frames.
    init(layers: [KeywordModel.Layer], maximumFrames: Int) {
        self.layers = layers
        capacity = maximumFrames
        let widest = max(LogMelFeatures.bandCount, layers.map(\.output).max() ?? 0)
        a = [Float](repeating: 0, count: widest * maximumFrames)
        b = [Float](repeating: 0, count: widest * maximumFrames)
    }

    /// Per-class logits for every output step, class-major (`[class * steps + step]`), for
    /// `features` (band-major, `[band * frames + frame]`, already mean-normalised).
    mutating func logits(features: UnsafeBufferPointer<Float>, frames: Int) -> (logits: [Float], steps: Int) {
        let (channels, steps) = forward(features: features, frames: frames, layerCount: layers.count)
        return (Array(output[0..<(channels * steps)]), steps)
    }

    /// The trunk's per-step embeddings: the output of the residual stack, before the 1x1 head
    /// (the last layer), channel-major (`[channel * steps + step]`). Query-by-example keyword
    /// matching compares these (`KeywordTemplateMatcher`).
    mutating func embeddings(features: UnsafeBufferPointer<Float>, frames: Int) -> (embeddings: [Float], channels: Int, steps: Int) {
        let (channels, steps) = forward(features: features, frames: frames, layerCount: layers.count - 1)
        return (Array(output[0..<(channels * steps)]), channels, steps)
    }

    /// Which buffer holds the last `forward`'s result.
    private var resultInA = true
    private var output: [Float] { resultInA ? a : b }

    /// Runs the first `layerCount` layers; returns the result's channel and step counts.
    private mutating func forward(features: UnsafeBufferPointer<Float>, frames: Int, layerCount: Int) -> (channels: Int, steps: Int) {
        precondition(frames <= capacity)
        var length = frames
        a.withUnsafeMutableBufferPointer { dst in
            for i in 0..<(LogMelFeatures.bandCount * frames) { dst[i] = features[i] }
        }
        var inputIsA = true
        var channels = LogMelFeatures.bandCount
        for layer in layers.prefix(layerCount) {
            let outLength = (length + 2 * (layer.dilation * (layer.kernel - 1) / 2) - layer.dilation * (layer.kernel - 1) - 1) / layer.stride + 1
            if inputIsA {
                a.withUnsafeBufferPointer { src in
                    b.withUnsafeMutableBufferPointer { dst in
                        Self.convolve(layer, src, length, dst, outLength)
                    }
                }
            } else {
                b.withUnsafeBufferPointer { src in
                    a.withUnsafeMutableBufferPointer { dst in
                        Self.convolve(layer, src, length, dst, outLength)
                    }
                }
            }
            inputIsA.toggle()
            length = outLength
            channels = layer.output
        }
        resultInA = inputIsA
        return (channels, length)
    }

    /// `dst[o][t] = bias[o] + Σ_i Σ_k w[o][i][k] · src[i][t·stride + k·dilation − pad]`, then
    /// ReLU and the residual input where the layer has them.
    private static func convolve(_ layer: KeywordModel.Layer, _ src: UnsafeBufferPointer<Float>, _ inLength: Int,
                                 _ dst: UnsafeMutableBufferPointer<Float>, _ outLength: Int) {
        let pad = layer.dilation * (layer.kernel - 1) / 2
        layer.weights.withUnsafeBufferPointer { w in
            for o in 0..<layer.output {
                let row = dst.baseAddress! + o * outLength
                let bias = layer.bias[o]
                for t in 0..<outLength { row[t] = bias }
                for i in 0..<layer.input {
                    let input = src.baseAddress! + i * inLength
                    for k in 0..<layer.kernel {
                        let weight = w[(o * layer.input + i) * layer.kernel + k]
                        let offset = k * layer.dilation - pad
                        // valid t: 0 <= t*stride + offset < inLength
                        let first = offset >= 0 ? 0 : (-offset + layer.stride - 1) / layer.stride
                        let last = min(outLength - 1, (inLength - 1 - offset) >= 0 ? (inLength - 1 - offset) / layer.stride : -1)
                        if first > last { continue }
                        if layer.stride == 1 {
                            let shifted = input + offset
                            for t in first...last { row[t] += weight * shifted[t] }
                        } else {
                            for t in first...last { row[t] += weight * input[t * layer.stride + offset] }
                        }
                    }
                }
                if layer.relu {
                    for t in 0..<outLength where row[t] < 0 { row[t] = 0 }
                }
                if layer.residual {
                    let input = src.baseAddress! + o * inLength
                    for t in 0..<outLength { row[t] += input[t] }
                }
            }
        }
    }
}
