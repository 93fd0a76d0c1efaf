/// A mono clip of linear 16-bit PCM at a known sample rate: the unit the offline tools,
/// fixtures and prompt renderer pass around.
public struct AudioClip: Sendable, Equatable {
    /// Samples per second (8000 or 16000 on telephone paths, 48000 for Opus).
    public var sampleRate: Int
    /// Linear PCM samples, mono.
    public var samples: [Int16]

    /// A clip of `samples` at `sampleRate`.
    public init(sampleRate: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.samples = samples
    }

    /// Duration in seconds.
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

extension AudioClip {
    /// This clip at `rate` (band-limited polyphase resampling, delay removed); itself when
    /// the rate already matches.
    public func resampled(to rate: Int) -> AudioClip {
        guard rate != sampleRate else { return self }
        return AudioClip(sampleRate: rate, samples: Resampler.convert(samples, from: sampleRate, to: rate))
    }
}
