import Foundation
import VoiceGateDSP

/// A libpcap capture of one RTP stream (Ethernet / IPv4 / UDP / RTP), as sipp's
/// `<exec play_pcap_audio=.../>` replays it: each packet leaves when its capture timestamp says,
/// to the call's media port (sipp rewrites the addresses and ports and recomputes the UDP checksum).
public enum RTPPcap {
    /// One RTP packet of the stream with its capture time.
    public struct Packet: Sendable, Hashable {
        /// Capture time in microseconds from the start of the capture.
        public var timeUs: Int64
        public var sequenceNumber: UInt16
        public var timestamp: UInt32
        public var marker: Bool
        public var payload: [UInt8]

        /// A packet; see the properties.
        public init(timeUs: Int64, sequenceNumber: UInt16, timestamp: UInt32, marker: Bool, payload: [UInt8]) {
            self.timeUs = timeUs
            self.sequenceNumber = sequenceNumber
            self.timestamp = timestamp
            self.marker = marker
            self.payload = payload
        }
    }

    /// `samples` (8 kHz) as μ-law (PCMU, payload type 0) packets of `frameSamples` samples, sent
    /// as a phone without silence suppression sends them: one every frame, capture time = sample
    /// offset × 125 µs, sequence numbers and timestamps counting up from `firstSequence` and
    /// `firstTimestamp`, the marker on the first packet. A short last frame is padded with silence.
    public static func ulawPackets(_ samples: [Int16], frameSamples: Int = 160, firstSequence: UInt16 = 4000,
                                   firstTimestamp: UInt32 = 80_000) -> [Packet] {
        precondition(frameSamples > 0)
        let count = (samples.count + frameSamples - 1) / frameSamples
        return (0..<count).map { k in
            let offset = k * frameSamples
            let payload = (0..<frameSamples).map { i in
                G711.ulawEncode(offset + i < samples.count ? samples[offset + i] : 0)
            }
            return Packet(timeUs: Int64(offset) * 125, sequenceNumber: firstSequence &+ UInt16(truncatingIfNeeded: k),
                          timestamp: firstTimestamp &+ UInt32(truncatingIfNeeded: offset), marker: k == 0,
                          payload: payload)
        }
    }

    /// The capture file bytes (microsecond pcap, link type Ethernet): `packets` as RTP (version 2,
    /// `payloadType`, `ssrc`) in UDP from `sourcePort` to `destinationPort` between two private
    /// documentation addresses (sipp replaces them), captured from `startSeconds` on.
    public static func file(_ packets: [Packet], payloadType: UInt8 = 0, ssrc: UInt32 = 0x5EED_CA11,
                            sourcePort: UInt16 = 6000, destinationPort: UInt16 = 6000,
                            startSeconds: UInt32 = 1_700_000_000) -> [UInt8] {
        var out: [UInt8] = []
        // Global header: magic (microsecond resolution), version 2.4, zone 0, sigfigs 0, snaplen, Ethernet.
        out.appendLE(UInt32(0xA1B2_C3D4))
        out.appendLE(UInt16(2))
        out.appendLE(UInt16(4))
        out.appendLE(UInt32(0))
        out.appendLE(UInt32(0))
        out.appendLE(UInt32(65535))
        out.appendLE(UInt32(1))
        for (index, packet) in packets.enumerated() {
            var rtp: [UInt8] = [0x80, (packet.marker ? 0x80 : 0) | (payloadType & 0x7F)]
            rtp.appendBE(packet.sequenceNumber)
            rtp.appendBE(packet.timestamp)
            rtp.appendBE(ssrc)
            rtp += packet.payload
            let udpLength = 8 + rtp.count
            var udp: [UInt8] = []
            udp.appendBE(sourcePort)
            udp.appendBE(destinationPort)
            udp.appendBE(UInt16(udpLength))
            udp.appendBE(UInt16(0))  // no checksum (IPv4 allows it; sipp computes its own)
            udp += rtp
            let source: [UInt8] = [192, 0, 2, 10], destination: [UInt8] = [192, 0, 2, 20]
            var ip: [UInt8] = [0x45, 0]
            ip.appendBE(UInt16(20 + udpLength))
            ip.appendBE(UInt16(truncatingIfNeeded: index))  // identification
            ip.appendBE(UInt16(0x4000))  // don't fragment
            ip += [64, 17, 0, 0] + source + destination
            let checksum = internetChecksum(ip)
            ip[10] = UInt8(checksum >> 8)
            ip[11] = UInt8(checksum & 0xFF)
            let ethernet: [UInt8] = [0x02, 0, 0, 0, 0, 0x20, 0x02, 0, 0, 0, 0, 0x10, 0x08, 0x00]
            let frame = ethernet + ip + udp
            let time = Int64(startSeconds) * 1_000_000 + packet.timeUs
            out.appendLE(UInt32(time / 1_000_000))
            out.appendLE(UInt32(time % 1_000_000))
            out.appendLE(UInt32(frame.count))
            out.appendLE(UInt32(frame.count))
            out += frame
        }
        return out
    }

    /// The RFC 791 header checksum: one's complement of the one's complement sum of 16-bit words.
    static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

private extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendBE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
