/// Bounds that keep hostile input from growing memory or work without limit. Every parse
/// allocates at most about `maxMessageSize` bytes plus a small constant per header line.
public struct SIPParserLimits: Sendable, Hashable {
    /// Largest message (start line, headers and body) accepted: 65,535 octets, the largest UDP
    /// payload, also applied to each message on a stream.
    public var maxMessageSize: Int
    /// Most header field lines (after unfolding) in one message.
    public var maxHeaderCount: Int
    /// Longest unfolded header field (name, colon and value) in octets.
    public var maxHeaderLength: Int

    /// Creates limits.
    public init(maxMessageSize: Int = 65_535, maxHeaderCount: Int = 256, maxHeaderLength: Int = 8_192) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderLength = maxHeaderLength
    }

    /// The defaults: 65,535 octets, 256 header fields, 8,192 octets per field.
    public static let `default` = SIPParserLimits()
}
