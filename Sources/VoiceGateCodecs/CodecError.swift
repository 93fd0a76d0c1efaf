/// Why a codec call failed. Thrown instead of trapping: a corrupt packet from the network must cost
/// one frame, never the process.
public enum CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The caller's output buffer cannot hold the result.
    case outputBufferTooSmall(needed: Int, available: Int)
    /// The PCM frame length is not one this codec encodes (e.g. Opus accepts 2.5 to 60 ms frames only).
    case unsupportedFrameLength(samples: Int, sampleRate: Int)
    /// A configuration value outside the codec's range (sample rate, bitrate, complexity, payload type).
    case invalidSetting(String)
    /// libopus returned an error code from `operation`.
    case opus(OpusStatus, operation: String)

    public var description: String {
        switch self {
        case .outputBufferTooSmall(let needed, let available):
            "output buffer too small: need \(needed), have \(available)"
        case .unsupportedFrameLength(let samples, let rate):
            "unsupported frame length: \(samples) samples at \(rate) Hz"
        case .invalidSetting(let what):
            "invalid codec setting: \(what)"
        case .opus(let status, let operation):
            "libopus \(operation) failed: \(status)"
        }
    }
}

/// The error codes libopus returns (negative `int`s from `opus_defines.h`), named.
public enum OpusStatus: Int32, Sendable, Equatable, CustomStringConvertible {
    /// OPUS_BAD_ARG: an argument was invalid or out of range.
    case badArgument = -1
    /// OPUS_BUFFER_TOO_SMALL: the output buffer was too small.
    case bufferTooSmall = -2
    /// OPUS_INTERNAL_ERROR: an internal error was detected.
    case internalError = -3
    /// OPUS_INVALID_PACKET: the compressed data was corrupt.
    case invalidPacket = -4
    /// OPUS_UNIMPLEMENTED: the request number was invalid or unsupported.
    case unimplemented = -5
    /// OPUS_INVALID_STATE: an encoder or decoder structure was invalid or freed.
    case invalidState = -6
    /// OPUS_ALLOC_FAIL: memory allocation failed.
    case allocationFailed = -7
    /// Any code this enum does not know (a newer libopus).
    case unknown = -1000

    /// The status for a libopus return code (only meaningful for negative codes).
    public init(code: Int32) {
        self = OpusStatus(rawValue: code) ?? .unknown
    }

    public var description: String {
        switch self {
        case .badArgument: "invalid argument"
        case .bufferTooSmall: "buffer too small"
        case .internalError: "internal error"
        case .invalidPacket: "corrupted or invalid packet"
        case .unimplemented: "request not implemented"
        case .invalidState: "invalid encoder/decoder state"
        case .allocationFailed: "memory allocation failed"
        case .unknown: "unknown error"
        }
    }
}
