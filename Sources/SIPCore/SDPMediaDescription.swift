/// One `m=` section: `m=<media> <port>[/<count>] <proto> <fmt> ...` and the lines under it.
public struct SDPMediaDescription: Sendable, Hashable {
    /// Media type: `audio`, `video`, `image`, `application`, ...
    public var media: String
    /// Transport port; 0 means the stream is rejected or disabled (RFC 3264 6).
    public var port: Int
    /// The `/<count>` of hierarchical encodings; nil when absent.
    public var portCount: Int?
    /// Transport protocol, e.g. `RTP/AVP`, `RTP/SAVP`, `udptl`.
    public var proto: String
    /// Format tokens; RTP payload type numbers for RTP profiles, in the sender's order of preference.
    public var formats: [String]
    /// Media-level `c=`; overrides the session-level one.
    public var connection: SDPConnection?
    /// Media-level `b=` lines.
    public var bandwidths: [SDPBandwidth]
    /// Media-level `a=` lines in order.
    public var attributes: [SDPAttribute]
    /// Media-level fields kept verbatim: `i` (written before `c=`) and `k` (written after `b=`).
    public var otherFields: [SDPField]

    /// Creates a media section.
    public init(media: String, port: Int, portCount: Int? = nil, proto: String, formats: [String],
                connection: SDPConnection? = nil, bandwidths: [SDPBandwidth] = [],
                attributes: [SDPAttribute] = [], otherFields: [SDPField] = []) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connection = connection
        self.bandwidths = bandwidths
        self.attributes = attributes
        self.otherFields = otherFields
    }

    /// True when the formats are RTP payload types (`RTP/AVP`, `RTP/SAVP`, `RTP/AVPF`, `UDP/TLS/RTP/SAVPF`, ...).
    public var isRTP: Bool { proto.uppercased().contains("RTP/") }

    /// The explicit direction attribute of this medium, if any.
    public var direction: SDPDirection? {
        get { SDPDirection.first(in: attributes) }
        set {
            attributes.removeAll { SDPDirection(rawValue: $0.name) != nil }
            if let newValue { attributes.append(SDPAttribute(name: newValue.rawValue)) }
        }
    }

    /// Values of every attribute called `name`, in order (attributes without a value give "").
    public func attributeValues(_ name: String) -> [String] {
        attributes.filter { $0.name.sdpEqualsIgnoringCase(name) }.map { $0.value ?? "" }
    }

    /// All `a=rtpmap` lines that parse.
    public var rtpMaps: [SDPRTPMap] { attributeValues("rtpmap").compactMap(SDPRTPMap.init(attributeValue:)) }

    /// The encoding of payload type `format`: its `a=rtpmap`, else the static assignment of RFC 3551.
    public func rtpMap(for format: String) -> SDPRTPMap? {
        guard let pt = UInt8(format) else { return nil }
        return rtpMaps.first { $0.payloadType == pt } ?? SDPRTPMap.staticPayloadType(pt)
    }

    /// The `a=fmtp` parameters of payload type `format`, if present.
    public func formatParameters(for format: String) -> SDPFormatParameters? {
        for value in attributeValues("fmtp") {
            guard let (fmt, rest) = value.sdpSplitOnce(" ") else {
                if value == format { return SDPFormatParameters(raw: "") }
                continue
            }
            if fmt == format { return SDPFormatParameters(raw: rest) }
        }
        return nil
    }

    /// `a=ptime` in milliseconds (fractions rounded), if present.
    public var ptime: Int? { attributeValues("ptime").first.flatMap(SDPMediaDescription.milliseconds) }

    /// `a=maxptime` in milliseconds, if present.
    public var maxptime: Int? { attributeValues("maxptime").first.flatMap(SDPMediaDescription.milliseconds) }

    /// `a=rtcp` (RFC 3605), if present and valid.
    public var rtcp: SDPRTCPAttribute? { attributeValues("rtcp").first.flatMap(SDPRTCPAttribute.init(attributeValue:)) }

    /// Parses a packet time; some stacks write `20.0`.
    static func milliseconds(_ text: String) -> Int? {
        let trimmed = text.trimmingSDPWhitespace()
        if let value = Int(trimmed), value > 0 { return value }
        if let value = Double(trimmed), value > 0, value.isFinite { return Int(value.rounded()) }
        return nil
    }
}

/// Media direction attributes (RFC 4566 6, RFC 3264 5.1/6.1).
public enum SDPDirection: String, Sendable, Hashable, CaseIterable {
    /// Send and receive.
    case sendrecv
    /// Only send (the other side is on hold, seen from the receiver).
    case sendonly
    /// Only receive.
    case recvonly
    /// Neither.
    case inactive

    /// The direction an answer takes for an offer with this direction (RFC 3264 6.1): sendonly ↔ recvonly.
    public var reversed: SDPDirection {
        switch self {
        case .sendrecv: .sendrecv
        case .sendonly: .recvonly
        case .recvonly: .sendonly
        case .inactive: .inactive
        }
    }

    /// True when this side sends media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// True when this side receives media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The direction that sends only if both allow sending and receives only if both allow receiving.
    public func intersection(_ other: SDPDirection) -> SDPDirection {
        SDPDirection(sends: sends && other.sends, receives: receives && other.receives)
    }

    /// The direction with these capabilities.
    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The first direction attribute in a list.
    static func first(in attributes: [SDPAttribute]) -> SDPDirection? {
        for attribute in attributes where attribute.value == nil {
            if let direction = SDPDirection(rawValue: attribute.name.lowercased()) { return direction }
        }
        return nil
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]`.
public struct SDPRTPMap: Sendable, Hashable {
    /// RTP payload type, 0...127.
    public var payloadType: UInt8
    /// Encoding name as written (compare case-insensitively).
    public var encodingName: String
    /// RTP clock rate in Hz.
    public var clockRate: Int
    /// Audio channels; 1 when not written.
    public var channels: Int

    /// Creates an rtpmap.
    public init(payloadType: UInt8, encodingName: String, clockRate: Int, channels: Int = 1) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses the value of an `a=rtpmap` attribute; nil when malformed.
    public init?(attributeValue: String) {
        guard let (ptText, encoding) = attributeValue.trimmingSDPWhitespace().sdpSplitOnce(" "),
              let pt = UInt8(ptText), pt <= 127 else { return nil }
        let parts = encoding.trimmingSDPWhitespace().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty,
              let rate = Int(parts[1]), rate > 0 else { return nil }
        var channels = 1
        if parts.count == 3 {
            guard let count = Int(parts[2]), count > 0 else { return nil }
            channels = count
        }
        self.init(payloadType: pt, encodingName: String(parts[0]), clockRate: rate, channels: channels)
    }

    /// The value written after `a=rtpmap:`; the channel count only when it is not 1.
    public var attributeValue: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (channels != 1 ? "/\(channels)" : "")
    }

    /// True when this is the named encoding at this rate (names compare case-insensitively, RFC 4855 3).
    public func matches(name: String, clockRate: Int, channels: Int) -> Bool {
        encodingName.sdpEqualsIgnoringCase(name) && self.clockRate == clockRate && self.channels == channels
    }

    /// RFC 3551 static audio payload types, usable without an `a=rtpmap`.
    public static func staticPayloadType(_ pt: UInt8) -> SDPRTPMap? {
        switch pt {
        case 0: SDPRTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000)
        case 3: SDPRTPMap(payloadType: 3, encodingName: "GSM", clockRate: 8000)
        case 4: SDPRTPMap(payloadType: 4, encodingName: "G723", clockRate: 8000)
        case 8: SDPRTPMap(payloadType: 8, encodingName: "PCMA", clockRate: 8000)
        case 9: SDPRTPMap(payloadType: 9, encodingName: "G722", clockRate: 8000)
        case 13: SDPRTPMap(payloadType: 13, encodingName: "CN", clockRate: 8000)
        case 18: SDPRTPMap(payloadType: 18, encodingName: "G729", clockRate: 8000)
        default: nil
        }
    }
}

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
public struct SDPRTCPAttribute: Sendable, Hashable {
    /// RTCP port.
    public var port: Int
    /// RTCP address when it differs from the RTP one.
    public var connection: SDPConnection?

    /// Creates an rtcp attribute.
    public init(port: Int, connection: SDPConnection? = nil) {
        self.port = port
        self.connection = connection
    }

    /// Parses the value of an `a=rtcp` attribute; nil when malformed.
    public init?(attributeValue: String) {
        let tokens = attributeValue.sdpTokens()
        guard let first = tokens.first, let port = Int(first), (0...65535).contains(port) else { return nil }
        var connection: SDPConnection?
        if tokens.count >= 4, tokens[1] == "IN", let type = SDPAddressType(rawValue: tokens[2].uppercased()) {
            connection = SDPConnection(addressType: type, address: tokens[3])
        } else if tokens.count != 1 {
            return nil
        }
        self.init(port: port, connection: connection)
    }
}

/// The parameters of an `a=fmtp` line: `name=value` pairs separated by `;`, or an opaque value
/// such as telephone-event's `0-16`. Kept raw so the line serializes back unchanged.
public struct SDPFormatParameters: Sendable, Hashable {
    /// Text after the payload type.
    public var raw: String

    /// Wraps the raw text after `a=fmtp:<pt> `.
    public init(raw: String) { self.raw = raw.trimmingSDPWhitespace() }

    /// Builds `name=value;...` from ordered pairs.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(raw: pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ";"))
    }

    /// The `name=value` pairs in order; tokens without `=` have an empty value.
    public var pairs: [(name: String, value: String)] {
        raw.split(separator: ";").compactMap { item in
            let token = String(item).trimmingSDPWhitespace()
            guard !token.isEmpty else { return nil }
            if let (name, value) = token.sdpSplitOnce("=") {
                return (name.trimmingSDPWhitespace(), value.trimmingSDPWhitespace())
            }
            return (token, "")
        }
    }

    /// The value of a parameter (names compare case-insensitively).
    public subscript(name: String) -> String? {
        pairs.first { $0.name.sdpEqualsIgnoringCase(name) }?.value
    }
}

extension String {
    /// Splits at the first occurrence of `separator`; nil when it does not occur.
    func sdpSplitOnce(_ separator: Character) -> (String, String)? {
        guard let index = firstIndex(of: separator) else { return nil }
        return (String(self[..<index]), String(self[self.index(after: index)...]))
    }

    /// Drops leading and trailing spaces and tabs (SDP's only whitespace).
    func trimmingSDPWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

    /// Space-separated tokens; runs of spaces count as one (liberal in what we accept).
    func sdpTokens() -> [String] {
        split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// ASCII case-insensitive equality without Foundation.
    func sdpEqualsIgnoringCase(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
