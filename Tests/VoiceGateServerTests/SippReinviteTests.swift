import Foundation
import Glibc
import Testing

/// `voicegate serve` against sipp for re-INVITE hold/resume and an offerless INVITE. The SDP the
/// scenarios send points the server's RTP at a plain UDP socket of the test, which afterwards reads
/// what arrived (the socket's buffer holds a few seconds of G.711), so the test sees whether RTP
/// flowed, stopped during the hold, and came back.
@Suite(.serialized) struct SippReinviteTests {
    /// One SIP request of the scenario, in sipp's keyword syntax.
    static func request(_ method: String, cseq: Int, body: String? = nil) -> String {
        let content = body.map { "Content-Type: application/sdp\nContent-Length: [len]\n\n\($0)" }
            ?? "Content-Length: 0\n"
        return """
          <send\(method == "ACK" ? "" : " retrans=\"500\"")>
            <![CDATA[
        \(method) sip:ivr@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:ivr@[remote_ip]:[remote_port]>\(cseq == 1 && method == "INVITE" ? "" : "[peer_tag_param]")
        Call-ID: [call_id]
        CSeq: \(cseq) \(method)
        Contact: <sip:sipp@[local_ip]:[local_port]>
        Max-Forwards: 70
        \(content)
        ]]>
          </send>

        """
    }

    /// An SDP body sending our RTP to `rtpPort` on loopback.
    static func sdp(rtpPort: Int, version: Int, direction: String = "sendrecv", pcma: Bool = false) -> String {
        """
        v=0
        o=user1 53655765 \(version) IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio \(rtpPort) RTP/AVP \(pcma ? 8 : 0) 101
        a=rtpmap:\(pcma ? "8 PCMA" : "0 PCMU")/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=\(direction)
        """
    }

    /// A 200 whose body must match every regular expression in `bodyMatches` (or the call fails).
    static func expect200(bodyMatches: [String]) -> String {
        // sipp rejects a variable referenced only once: every check assigns to `matched`, and the
        // scenario ends with a <Reference> to it.
        let checks = bodyMatches.map { pattern in
            "      <ereg regexp=\"\(pattern)\" search_in=\"body\" check_it=\"true\" assign_to=\"matched\"/>"
        }.joined(separator: "\n")
        return """
          <recv response="100" optional="true"/>
          <recv response="200">
            <action>
        \(checks)
            </action>
          </recv>

        """
    }

    static func scenario(_ steps: String) -> String {
        """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="voicegate re-INVITE">
        \(steps)  <recv response="200"/>
          <Reference variables="matched"/>
        </scenario>
        """
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func holdIsAnsweredRecvonlyRTPStopsAndResumes() throws {
        let rtp = try RTPSink()
        let run = try ServerRun()
        defer { run.stop() }
        let steps = Self.request("INVITE", cseq: 1, body: Self.sdp(rtpPort: rtp.port, version: 1))
            + Self.expect200(bodyMatches: ["a=sendrecv"])
            + Self.request("ACK", cseq: 1)
            + "  <pause milliseconds=\"1200\"/>\n"
            + Self.request("INVITE", cseq: 2, body: Self.sdp(rtpPort: rtp.port, version: 2, direction: "sendonly"))
            + Self.expect200(bodyMatches: ["a=recvonly", "o=voicegate [0-9]+ 2 IN"])
            + Self.request("ACK", cseq: 2)
            + "  <pause milliseconds=\"1500\"/>\n"
            + Self.request("INVITE", cseq: 3, body: Self.sdp(rtpPort: rtp.port, version: 3))
            + Self.expect200(bodyMatches: ["a=sendrecv", "o=voicegate [0-9]+ 3 IN"])
            + Self.request("ACK", cseq: 3)
            + "  <pause milliseconds=\"1000\"/>\n"
            + Self.request("BYE", cseq: 4)
        let sipp = try run.sipp(scenario: Self.scenario(steps))
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        let log = run.log()
        #expect(log.contains("media updated: hold (recvonly)"), "log:\n\(log)")
        #expect(log.contains("media updated: sendrecv (resumed)"), "log:\n\(log)")

        let packets = rtp.drain()
        // About 1.2 s before the hold and 1 s after it at 50 packets/s; none for the 1.5 s held.
        #expect(packets.count >= 60 && packets.count <= 150, "\(packets.count) RTP packets")
        let gaps = zip(packets, packets.dropFirst()).filter { $1.timestamp &- $0.timestamp >= 8000 }
        #expect(gaps.count == 1, "expected one silent gap of >= 1 s, got \(gaps.count)")
        if let gap = gaps.first {
            #expect(gap.1.sequence == gap.0.sequence &+ 1, "sequence numbers continue across the hold")
            #expect(gap.1.marker, "the first packet after the hold starts a talkspurt")
            let after = packets.drop { $0.sequence != gap.1.sequence }
            #expect(after.count >= 25, "only \(after.count) packets after the resume")
        }
        #expect(run.log().contains("call ended: caller hung up"))
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func codecAndAddressChangeMovesTheRTP() throws {
        let before = try RTPSink()
        let after = try RTPSink()
        let run = try ServerRun()
        defer { run.stop() }
        let steps = Self.request("INVITE", cseq: 1, body: Self.sdp(rtpPort: before.port, version: 1))
            + Self.expect200(bodyMatches: ["RTP/AVP 0 101"])
            + Self.request("ACK", cseq: 1)
            + "  <pause milliseconds=\"1000\"/>\n"
            + Self.request("INVITE", cseq: 2, body: Self.sdp(rtpPort: after.port, version: 2, pcma: true))
            + Self.expect200(bodyMatches: ["RTP/AVP 8 101", "a=rtpmap:8 PCMA/8000"])
            + Self.request("ACK", cseq: 2)
            + "  <pause milliseconds=\"1000\"/>\n"
            + Self.request("BYE", cseq: 3)
        let sipp = try run.sipp(scenario: Self.scenario(steps))
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        let old = before.drain()
        let new = after.drain()
        #expect(old.count >= 25 && old.allSatisfy { $0.payloadType == 0 }, "\(old.count) packets before, PCMU")
        #expect(new.count >= 25 && new.allSatisfy { $0.payloadType == 8 }, "\(new.count) packets after, PCMA")
        // One stream (RFC 3550 5.1): the sequence goes on at the new address.
        if let last = old.last, let first = new.first { #expect(first.sequence == last.sequence &+ 1) }
        #expect(run.log().contains("media updated: codec PCMU/0 → PCMA/8"), "log:\n\(run.log())")
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func offerlessCallGetsOurOfferAndTheGreetingAfterTheAckAnswer() throws {
        let rtp = try RTPSink()
        let run = try ServerRun()
        defer { run.stop() }
        let steps = Self.request("INVITE", cseq: 1)
            + Self.expect200(bodyMatches: ["m=audio [0-9]+ RTP/AVP 0 8 [0-9]+ 101", "a=rtpmap:[0-9]+ opus/48000/2", "a=rtpmap:101 telephone-event/8000"])
            + Self.request("ACK", cseq: 1, body: Self.sdp(rtpPort: rtp.port, version: 1))
            + "  <pause milliseconds=\"2000\"/>\n"
            + Self.request("BYE", cseq: 2)
        let sipp = try run.sipp(scenario: Self.scenario(steps))
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        let packets = rtp.drain()
        #expect(packets.count >= 60, "\(packets.count) RTP packets")
        #expect(packets.allSatisfy { $0.payloadType == 0 }, "PCMU, as the ACK's answer chose")
        #expect(run.log().contains("prompt greeting (en) started"), "log:\n\(run.log())")
        #expect(run.log().contains("media updated: answer in the ACK: PCMU/0 to 127.0.0.1:\(rtp.port), sendrecv"),
                "log:\n\(run.log())")
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func offerlessCallWhoseAckHasNoAnswerIsEndedWithBye() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let steps = Self.request("INVITE", cseq: 1)
            + Self.expect200(bodyMatches: ["RTP/AVP 0 8 [0-9]+ 101"])
            + Self.request("ACK", cseq: 1)
            + SippEndToEndTests.answerServerBye()
        let sipp = try run.sipp(scenario: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"offerless\">\n"
                                + steps + "  <Reference variables=\"matched\"/>\n</scenario>\n")
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        #expect(run.log().contains("call ended: no usable SDP answer in the ACK (the ACK has no body)"), "log:\n\(run.log())")
    }
}

/// A loopback UDP socket standing in for the caller's RTP port; `drain()` reads what is queued.
final class RTPSink {
    struct Packet {
        var payloadType: UInt8
        var marker: Bool
        var sequence: UInt16
        var timestamp: UInt32
    }

    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("no UDP socket") }
        var size: Int32 = 1 << 20  // a few seconds of RTP wait here until the test reads them
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestFailure("cannot bind the RTP sink")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Every RTP packet received so far, in arrival order (non-RTP datagrams are skipped).
    func drain() -> [Packet] {
        var packets: [Packet] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n > 0 else { break }
            guard n >= 12, buffer[0] >> 6 == 2 else { continue }
            packets.append(Packet(payloadType: buffer[1] & 0x7F, marker: buffer[1] & 0x80 != 0,
                                  sequence: UInt16(buffer[2]) << 8 | UInt16(buffer[3]),
                                  timestamp: UInt32(buffer[4]) << 24 | UInt32(buffer[5]) << 16
                                      | UInt32(buffer[6]) << 8 | UInt32(buffer[7])))
        }
        return packets
    }

    deinit { close(fd) }
}
