public import NIOCore

/// One RTP packet (RFC 3550 section 5.1) as a value: header fields, CSRC list, an optional
/// header extension and the payload. Parsing never traps: every malformed input is an
/// `RTPParseError`, because the bytes come from the network and anyone can send them.
public struct RTPPacket: Sendable, Hashable {
    /// An RTP header extension (RFC 3550 section 5.3.1): a profile-defined 16-bit identifier
    /// and its data (a multiple of 4 bytes on the wire). Kept so a packet round-trips; the
    /// payload always starts after it.
    public struct HeaderExtension: Sendable, Hashable {
        /// The profile-defined identifier (e.g. 0xBEDE for RFC 8285 one-byte headers).
        public var profile: UInt16
        /// The extension data; serialised padded with zeros to a multiple of 4 bytes.
        public var data: [UInt8]

        /// An extension with `profile` and `data`.
        public init(profile: UInt16, data: [UInt8]) {
            self.profile = profile
            self.data = data
        }
    }

    /// The fixed header length in bytes (before CSRCs and extension).
    public static let fixedHeaderLength = 12

    /// The payload type (7 bits): which codec or event format the payload is in.
    public var payloadType: UInt8
    /// The marker bit; for audio, set on the first packet of a talkspurt (RFC 3551 section 4.1).
    public var marker: Bool
    /// The 16-bit sequence number, +1 per packet, wrapping at 65535.
    public var sequenceNumber: UInt16
    /// The 32-bit media timestamp in codec clock units, wrapping at 2^32.
    public var timestamp: UInt32
    /// The synchronisation source identifier.
    public var ssrc: UInt32
    /// Contributing sources (at most 15).
    public var csrcs: [UInt32]
    /// The header extension, if the X bit was set.
    public var headerExtension: HeaderExtension?
    /// The payload bytes (without padding).
    public var payload: [UInt8]
    /// Number of padding bytes at the end (including the count byte itself); 0 = no padding.
    public var paddingLength: UInt8

    /// A packet with the given fields.
    public init(payloadType: UInt8, marker: Bool = false, sequenceNumber: UInt16, timestamp: UInt32,
                ssrc: UInt32, csrcs: [UInt32] = [], headerExtension: HeaderExtension? = nil,
                payload: [UInt8], paddingLength: UInt8 = 0) {
        self.payloadType = payloadType & 0x7F
        self.marker = marker
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
        self.payload = payload
        self.paddingLength = paddingLength
    }

    /// Parses the readable bytes of `buffer` (the buffer is not consumed).
    public init(parsing buffer: ByteBuffer) throws(RTPParseError) {
        let result = buffer.withUnsafeReadableBytes { RTPPacket.parse($0) }
        self = try result.get()
    }

    /// Parses `bytes`.
    public init(parsing bytes: [UInt8]) throws(RTPParseError) {
        let result = bytes.withUnsafeBytes { RTPPacket.parse($0) }
        self = try result.get()
    }

    /// The parser shared by both entry points; returns a `Result` so the closure-based buffer
    /// access above needs no rethrowing.
    static func parse(_ raw: UnsafeRawBufferPointer) -> Result<RTPPacket, RTPParseError> {
        let count = raw.count
        guard count >= fixedHeaderLength else { return .failure(.tooShort(length: count)) }
        let b0 = raw[0], b1 = raw[1]
        let version = b0 >> 6
        guard version == 2 else { return .failure(.unsupportedVersion(version)) }
        let hasPadding = b0 & 0x20 != 0
        let hasExtension = b0 & 0x10 != 0
        let csrcCount = Int(b0 & 0x0F)
        var end = count
        var padding: UInt8 = 0
        if hasPadding {
            padding = raw[count - 1]
            // The count includes itself, so 0 is invalid; it may not eat into the header.
            guard padding > 0, Int(padding) <= count - fixedHeaderLength else {
                return .failure(.invalidPadding(padding))
            }
            end = count - Int(padding)
        }
        var offset = fixedHeaderLength
        guard offset + 4 * csrcCount <= end else { return .failure(.csrcBeyondLength(csrcCount: csrcCount)) }
        var csrcs: [UInt32] = []
        if csrcCount > 0 {
            csrcs.reserveCapacity(csrcCount)
            for _ in 0..<csrcCount {
                csrcs.append(readUInt32(raw, offset))
                offset += 4
            }
        }
        var ext: HeaderExtension?
        if hasExtension {
            guard offset + 4 <= end else { return .failure(.extensionBeyondLength) }
            let profile = UInt16(raw[offset]) << 8 | UInt16(raw[offset + 1])
            let words = Int(UInt16(raw[offset + 2]) << 8 | UInt16(raw[offset + 3]))
            offset += 4
            guard offset + 4 * words <= end else { return .failure(.extensionBeyondLength) }
            ext = HeaderExtension(profile: profile, data: Array(raw[offset..<(offset + 4 * words)]))
            offset += 4 * words
        }
        let packet = RTPPacket(
            payloadType: b1 & 0x7F, marker: b1 & 0x80 != 0,
            sequenceNumber: UInt16(raw[2]) << 8 | UInt16(raw[3]),
            timestamp: readUInt32(raw, 4), ssrc: readUInt32(raw, 8), csrcs: csrcs,
            headerExtension: ext, payload: Array(raw[offset..<end]), paddingLength: padding)
        return .success(packet)
    }

    private static func readUInt32(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(raw[at]) << 24 | UInt32(raw[at + 1]) << 16 | UInt32(raw[at + 2]) << 8 | UInt32(raw[at + 3])
    }

    /// The wire length of this packet in bytes.
    public var encodedLength: Int {
        Self.fixedHeaderLength + 4 * min(csrcs.count, 15)
            + (headerExtension.map { 4 + ($0.data.count + 3) / 4 * 4 } ?? 0)
            + payload.count + Int(paddingLength)
    }

    /// Appends the wire form to `buffer`. At most 15 CSRCs are written (the field has 4 bits).
    public func write(to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: encodedLength)
        let csrcCount = min(csrcs.count, 15)
        var b0: UInt8 = 2 << 6 | UInt8(csrcCount)
        if paddingLength > 0 { b0 |= 0x20 }
        if headerExtension != nil { b0 |= 0x10 }
        buffer.writeInteger(b0)
        buffer.writeInteger((marker ? 0x80 : 0) | (payloadType & 0x7F) as UInt8)
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(timestamp)
        buffer.writeInteger(ssrc)
        for csrc in csrcs.prefix(csrcCount) { buffer.writeInteger(csrc) }
        if let ext = headerExtension {
            let words = (ext.data.count + 3) / 4
            buffer.writeInteger(ext.profile)
            buffer.writeInteger(UInt16(truncatingIfNeeded: words))
            buffer.writeBytes(ext.data)
            buffer.writeRepeatingByte(0, count: words * 4 - ext.data.count)
        }
        buffer.writeBytes(payload)
        if paddingLength > 0 {
            buffer.writeRepeatingByte(0, count: Int(paddingLength) - 1)
            buffer.writeInteger(paddingLength)
        }
    }

    /// The wire form as bytes.
    public var bytes: [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: encodedLength)
        write(to: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}

/// Why bytes are not a valid RTP packet.
public enum RTPParseError: Error, Sendable, Hashable {
    /// Fewer than the 12 bytes of the fixed header.
    case tooShort(length: Int)
    /// The version field is not 2.
    case unsupportedVersion(UInt8)
    /// The padding count is 0 or longer than the packet after the fixed header.
    case invalidPadding(UInt8)
    /// The CSRC count claims more identifiers than the packet holds.
    case csrcBeyondLength(csrcCount: Int)
    /// The header extension runs past the end of the packet.
    case extensionBeyondLength
}
