/// A DTMF digit starting or ending, as found by `DTMFDetector`.
///
/// Times are sample indices from the start of the stream fed to the detector (and the same in
/// seconds); they are accurate to the detector's 10 ms analysis block.
public struct DTMFEvent: Sendable, Equatable {
    /// Whether the digit just started (for barge-in) or is complete.
    public enum Kind: Sendable, Equatable {
        /// The digit was confirmed; `endSample` is nil.
        case began
        /// The digit's tones stopped; `endSample` is set.
        case ended
    }

    /// Began or ended.
    public var kind: Kind
    /// The key.
    public var digit: DTMFDigit
    /// First sample of the first analysis window in which the digit was found.
    public var startSample: Int64
    /// One past the last sample of the last window in which it was found (`.ended` only).
    public var endSample: Int64?
    /// Sample rate the indices refer to.
    public var sampleRate: Int

    /// An event; see the properties.
    public init(kind: Kind, digit: DTMFDigit, startSample: Int64, endSample: Int64?, sampleRate: Int) {
        self.kind = kind
        self.digit = digit
        self.startSample = startSample
        self.endSample = endSample
        self.sampleRate = sampleRate
    }

    /// Start in seconds.
    public var start: Double { Double(startSample) / Double(sampleRate) }
    /// End in seconds (`.ended` only).
    public var end: Double? { endSample.map { Double($0) / Double(sampleRate) } }
}
