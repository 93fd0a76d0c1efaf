public import NIOCore

/// One reception report block (RFC 3550 section 6.4.1): how well one source is received.
public struct RTCPReportBlock: Sendable, Hashable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Fraction of packets lost since the previous report, as a fixed-point number / 256.
    public var fractionLost: UInt8
    /// Cumulative packets lost (24-bit signed on the wire: duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles << 16 | highest).
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last sender report received (0 if none).
    public var lastSenderReport: UInt32
    /// Delay since that sender report, in 1/65536 s (0 if none).
    public var delaySinceLastSenderReport: UInt32

    /// A report block with the given fields.
    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32,
                jitter: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// The round-trip time this block implies (RFC 3550 section 6.4.1), in milliseconds, for a
    /// block received at NTP time `arrivalNTP`; nil if the reporter had no sender report yet.
    public func roundTripMs(arrivalNTP: UInt64) -> Double? {
        guard lastSenderReport != 0 else { return nil }
        let arrival = NTPTime.middle32(arrivalNTP)
        let rtt = arrival &- lastSenderReport &- delaySinceLastSenderReport
        guard Int32(bitPattern: rtt) >= 0 else { return 0 }
        return Double(rtt) * 1000 / 65536
    }
}

/// NTP timestamps as RTCP uses them (RFC 3550 section 4): seconds since 1900 in the high 32
/// bits, the fraction in the low 32.
public enum NTPTime {
    /// Seconds between 1900-01-01 (NTP epoch) and 1970-01-01 (Unix epoch).
    public static let unixEpochOffset: UInt64 = 2_208_988_800

    /// The NTP timestamp of a Unix time in milliseconds.
    public static func timestamp(unixMs: Int64) -> UInt64 {
        let seconds = UInt64(unixMs / 1000) + unixEpochOffset
        let fraction = UInt64(unixMs % 1000) << 32 / 1000
        return seconds << 32 | fraction
    }

    /// The middle 32 bits (16.16 fixed point), the form used in LSR and round-trip arithmetic.
    public static func middle32(_ ntp: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: ntp >> 16)
    }
}

/// One RTCP packet of a compound packet.
public enum RTCPPacket: Sendable, Hashable {
    /// Sender report (PT 200): what an active sender sent, plus reception reports.
    case senderReport(RTCPSenderReport)
    /// Receiver report (PT 201): reception reports from a participant that does not send.
    case receiverReport(ssrc: UInt32, reports: [RTCPReportBlock])
    /// Source description (PT 202), reduced to the CNAME of each chunk (other items are skipped).
    case sourceDescription([RTCPSourceName])
    /// Goodbye (PT 203): the sources leave, with an optional reason.
    case bye(ssrcs: [UInt32], reason: String?)
    /// Any other packet type (APP, feedback, XR), kept as its body after the 4-byte header.
    case other(packetType: UInt8, count: UInt8, body: [UInt8])

    /// RTCP packet types.
    public enum PacketType {
        /// Sender report.
        public static let senderReport: UInt8 = 200
        /// Receiver report.
        public static let receiverReport: UInt8 = 201
        /// Source description.
        public static let sourceDescription: UInt8 = 202
        /// Goodbye.
        public static let bye: UInt8 = 203
    }

    /// Whether a datagram on a multiplexed RTP/RTCP port (RFC 5761 section 4) is RTCP:
    /// version 2 and a second byte (packet type) in 192...223.
    public static func isRTCP(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] >> 6 == 2 && (192...223).contains(bytes[1])
    }
}

/// The sender-info part of a sender report.
public struct RTCPSenderReport: Sendable, Hashable {
    /// The sender's SSRC.
    public var ssrc: UInt32
    /// Wall-clock time of this report (NTP format).
    public var ntpTimestamp: UInt64
    /// The RTP timestamp corresponding to `ntpTimestamp` in the sender's media clock.
    public var rtpTimestamp: UInt32
    /// Packets sent since the stream started (wrapping).
    public var packetCount: UInt32
    /// Payload octets sent since the stream started (wrapping).
    public var octetCount: UInt32
    /// Reception reports from this sender about others (at most 31).
    public var reports: [RTCPReportBlock]

    /// A sender report with the given fields.
    public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32,
                octetCount: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }
}

/// One SDES chunk reduced to its CNAME (the only item RFC 3550 requires).
public struct RTCPSourceName: Sendable, Hashable {
    /// The source.
    public var ssrc: UInt32
    /// Its canonical name (e.g. "voicegate@10.0.0.5"); empty if the chunk had none.
    public var cname: String

    /// A chunk for `ssrc` with `cname`.
    public init(ssrc: UInt32, cname: String) {
        self.ssrc = ssrc
        self.cname = cname
    }
}

/// Why bytes are not a valid RTCP compound packet (RFC 3550 appendix A.2 checks).
public enum RTCPParseError: Error, Sendable, Hashable {
    /// Empty, or a packet shorter than its 4-byte header or its fixed part.
    case tooShort
    /// Version is not 2.
    case unsupportedVersion(UInt8)
    /// A length field runs past the datagram.
    case lengthBeyondDatagram
    /// Padding on a packet other than the last, or a padding count that does not fit.
    case invalidPadding
    /// The compound packet does not start with SR or RR.
    case notStartingWithReport
}

/// Building and parsing compound RTCP packets (RFC 3550 section 6.1).
public enum RTCPCompound {
    /// The usual compound packet: a report (SR when `senderReport` is given, otherwise RR)
    /// followed by an SDES with the CNAME, as RFC 3550 section 6.1 requires.
    public static func report(senderReport: RTCPSenderReport?, receiverSSRC: UInt32,
                              reports: [RTCPReportBlock], cname: String) -> [RTCPPacket] {
        let first: RTCPPacket
        if var sr = senderReport {
            sr.reports = reports
            first = .senderReport(sr)
        } else {
            first = .receiverReport(ssrc: receiverSSRC, reports: reports)
        }
        let ssrc = senderReport?.ssrc ?? receiverSSRC
        return [first, .sourceDescription([RTCPSourceName(ssrc: ssrc, cname: cname)])]
    }

    /// The wire form of `packets` as one datagram.
    public static func serialize(_ packets: [RTCPPacket]) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 128)
        write(packets, to: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Appends the wire form of `packets` to `buffer`.
    public static func write(_ packets: [RTCPPacket], to buffer: inout ByteBuffer) {
        for packet in packets {
            let start = buffer.writerIndex
            buffer.writeInteger(UInt32(0))  // header, patched below once the length is known
            var count = 0
            let type: UInt8
            switch packet {
            case .senderReport(let sr):
                type = RTCPPacket.PacketType.senderReport
                buffer.writeInteger(sr.ssrc)
                buffer.writeInteger(sr.ntpTimestamp)
                buffer.writeInteger(sr.rtpTimestamp)
                buffer.writeInteger(sr.packetCount)
                buffer.writeInteger(sr.octetCount)
                count = min(sr.reports.count, 31)
                for block in sr.reports.prefix(count) { write(block, to: &buffer) }
            case .receiverReport(let ssrc, let reports):
                type = RTCPPacket.PacketType.receiverReport
                buffer.writeInteger(ssrc)
                count = min(reports.count, 31)
                for block in reports.prefix(count) { write(block, to: &buffer) }
            case .sourceDescription(let chunks):
                type = RTCPPacket.PacketType.sourceDescription
                count = min(chunks.count, 31)
                for chunk in chunks.prefix(count) {
                    let chunkStart = buffer.writerIndex
                    buffer.writeInteger(chunk.ssrc)
                    let name = Array(chunk.cname.utf8.prefix(255))
                    buffer.writeInteger(UInt8(1))  // CNAME
                    buffer.writeInteger(UInt8(name.count))
                    buffer.writeBytes(name)
                    // The item list ends with a zero byte, then zeros to the next 32-bit boundary.
                    let used = buffer.writerIndex - chunkStart + 1
                    buffer.writeRepeatingByte(0, count: 1 + (4 - used % 4) % 4)
                }
            case .bye(let ssrcs, let reason):
                type = RTCPPacket.PacketType.bye
                count = min(ssrcs.count, 31)
                for ssrc in ssrcs.prefix(count) { buffer.writeInteger(ssrc) }
                if let reason {
                    let text = Array(reason.utf8.prefix(255))
                    buffer.writeInteger(UInt8(text.count))
                    buffer.writeBytes(text)
                    buffer.writeRepeatingByte(0, count: (4 - (1 + text.count) % 4) % 4)
                }
            case .other(let packetType, let otherCount, let body):
                type = packetType
                count = Int(otherCount & 0x1F)
                buffer.writeBytes(body)
                buffer.writeRepeatingByte(0, count: (4 - body.count % 4) % 4)
            }
            let words = (buffer.writerIndex - start) / 4 - 1
            buffer.setInteger(UInt8(2 << 6 | count), at: start)
            buffer.setInteger(type, at: start + 1)
            buffer.setInteger(UInt16(truncatingIfNeeded: words), at: start + 2)
        }
    }

    private static func write(_ block: RTCPReportBlock, to buffer: inout ByteBuffer) {
        buffer.writeInteger(block.ssrc)
        let lost = UInt32(bitPattern: block.cumulativeLost) & 0x00FF_FFFF
        buffer.writeInteger(UInt32(block.fractionLost) << 24 | lost)
        buffer.writeInteger(block.extendedHighestSequence)
        buffer.writeInteger(block.jitter)
        buffer.writeInteger(block.lastSenderReport)
        buffer.writeInteger(block.delaySinceLastSenderReport)
    }

    /// Parses a compound packet. With `requireReportFirst` (the RFC 3550 rule) the first packet
    /// must be SR or RR; reduced-size RTCP (RFC 5506) callers pass false.
    public static func parse(_ bytes: [UInt8], requireReportFirst: Bool = true) throws(RTCPParseError) -> [RTCPPacket] {
        guard !bytes.isEmpty else { throw .tooShort }
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .tooShort }
            let b0 = bytes[offset]
            guard b0 >> 6 == 2 else { throw .unsupportedVersion(b0 >> 6) }
            let count = Int(b0 & 0x1F)
            let type = bytes[offset + 1]
            let length = ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 1) * 4
            guard offset + length <= bytes.count else { throw .lengthBeyondDatagram }
            var end = offset + length
            if b0 & 0x20 != 0 {
                guard end == bytes.count else { throw .invalidPadding }
                let padding = Int(bytes[end - 1])
                guard padding > 0, padding <= length - 4 else { throw .invalidPadding }
                end -= padding
            }
            if packets.isEmpty, requireReportFirst,
               type != RTCPPacket.PacketType.senderReport, type != RTCPPacket.PacketType.receiverReport {
                throw .notStartingWithReport
            }
            let body = Array(bytes[(offset + 4)..<end])
            packets.append(try parseBody(type: type, count: count, body: body))
            offset += length
        }
        return packets
    }

    private static func parseBody(type: UInt8, count: Int, body: [UInt8]) throws(RTCPParseError) -> RTCPPacket {
        func u32(_ at: Int) -> UInt32 {
            UInt32(body[at]) << 24 | UInt32(body[at + 1]) << 16 | UInt32(body[at + 2]) << 8 | UInt32(body[at + 3])
        }
        func blocks(from start: Int) throws(RTCPParseError) -> [RTCPReportBlock] {
            guard body.count >= start + 24 * count else { throw .tooShort }
            return (0..<count).map { index in
                let at = start + 24 * index
                let word = u32(at + 4)
                let lost = Int32(bitPattern: (word & 0x00FF_FFFF) << 8) >> 8  // sign-extend 24 bits
                return RTCPReportBlock(ssrc: u32(at), fractionLost: UInt8(word >> 24), cumulativeLost: lost,
                                       extendedHighestSequence: u32(at + 8), jitter: u32(at + 12),
                                       lastSenderReport: u32(at + 16), delaySinceLastSenderReport: u32(at + 20))
            }
        }
        switch type {
        case RTCPPacket.PacketType.senderReport:
            guard body.count >= 24 else { throw .tooShort }
            return .senderReport(RTCPSenderReport(
                ssrc: u32(0), ntpTimestamp: UInt64(u32(4)) << 32 | UInt64(u32(8)), rtpTimestamp: u32(12),
                packetCount: u32(16), octetCount: u32(20), reports: try blocks(from: 24)))
        case RTCPPacket.PacketType.receiverReport:
            guard body.count >= 4 else { throw .tooShort }
            return .receiverReport(ssrc: u32(0), reports: try blocks(from: 4))
        case RTCPPacket.PacketType.sourceDescription:
            var chunks: [RTCPSourceName] = []
            var at = 0
            for _ in 0..<count {
                guard at + 4 <= body.count else { throw .tooShort }
                var chunk = RTCPSourceName(ssrc: u32(at), cname: "")
                at += 4
                while at < body.count, body[at] != 0 {  // items until the null terminator
                    guard at + 2 <= body.count, at + 2 + Int(body[at + 1]) <= body.count else { throw .tooShort }
                    let length = Int(body[at + 1])
                    if body[at] == 1 { chunk.cname = String(decoding: body[(at + 2)..<(at + 2 + length)], as: UTF8.self) }
                    at += 2 + length
                }
                at = (at + 4) / 4 * 4  // skip the terminator and padding to the next word
                chunks.append(chunk)
            }
            return .sourceDescription(chunks)
        case RTCPPacket.PacketType.bye:
            guard body.count >= 4 * count else { throw .tooShort }
            let ssrcs = (0..<count).map { u32(4 * $0) }
            var reason: String?
            let at = 4 * count
            if at < body.count {
                let length = Int(body[at])
                guard at + 1 + length <= body.count else { throw .tooShort }
                reason = String(decoding: body[(at + 1)..<(at + 1 + length)], as: UTF8.self)
            }
            return .bye(ssrcs: ssrcs, reason: reason)
        default:
            return .other(packetType: type, count: UInt8(count), body: body)
        }
    }
}
