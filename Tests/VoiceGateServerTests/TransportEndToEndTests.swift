import Foundation
import Glibc
import RTPCore
import Testing
import VoiceGateCodecs

/// `voicegate serve` over the transports of issue 5, against the real binary: SIP over TCP
/// (sipp `-t t1`, and a raw socket for framing edges and our BYE on the caller's connection),
/// Opus on the wire, and RTCP on RTP port + 1.
@Suite(.serialized) struct TransportEndToEndTests {
    // MARK: SIP over TCP

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func sippCallOverTCPHearsTheGreetingAndHangsUp() throws {
        let run = try ServerRun()
        defer { run.stop() }
        // The 200 OK must name a TCP Contact (sipp fails the call when the regexp does not match).
        let scenario = SippEndToEndTests.scenario(middle: "  <pause milliseconds=\"2500\"/>")
            .replacingOccurrences(of: "<recv response=\"200\" rtd=\"true\"/>", with: """
                <recv response="200" rtd="true">
                    <action><ereg regexp="transport=tcp" search_in="hdr" header="Contact:" check_it="true" assign_to="contact"/></action>
                  </recv>
                """)
            .replacingOccurrences(of: "CSeq: 1 ACK\n", with: "CSeq: 1 ACK\nX-Contact-Check: [$contact]\n")
        #expect(scenario.contains("check_it=\"true\"") && scenario.contains("[$contact]"))
        let sipp = try run.sipp(scenario: scenario, transport: "t1")
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        let trace = run.traces()
        #expect(trace.contains("\"id\":\"greeting\"") && trace.contains("\"state\":\"started\""),
                "no greeting in trace:\n\(trace)\nlog:\n\(run.log())")
        #expect(run.log().contains("call ended: caller hung up"))
        #expect(run.stop() == 0)
    }

    static func options(port: Int, cseq: Int, branch: String) -> String {
        "OPTIONS sip:ivr@127.0.0.1:\(port) SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK\(branch)\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p\(cseq)\r\nTo: <sip:ivr@127.0.0.1>\r\n"
            + "Call-ID: tcp-framing-\(branch)\r\nCSeq: \(cseq) OPTIONS\r\nContent-Length: 0\r\n\r\n"
    }

    @Test func tcpFramingTwoInOneSegmentOneSplitAndAFramingError() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let tcp = try TCPClient(port: run.sipPort)
        // Two requests in one segment: two answers, in order.
        try tcp.send(Self.options(port: run.sipPort, cseq: 1, branch: "a1") + Self.options(port: run.sipPort, cseq: 2, branch: "a2"))
        let both = tcp.read(seconds: 5) { $0.components(separatedBy: "SIP/2.0 200").count == 3 }
        #expect(both.text.components(separatedBy: "SIP/2.0 200").count == 3, "got:\n\(both.text)")
        let first = both.text.range(of: "CSeq: 1 OPTIONS"), second = both.text.range(of: "CSeq: 2 OPTIONS")
        #expect(first != nil && second != nil && first!.lowerBound < second!.lowerBound)
        #expect(both.text.contains("Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKa1"))

        // One request split across segments (in the middle of a header): one answer, after the rest.
        let split = Self.options(port: run.sipPort, cseq: 3, branch: "b1")
        let cut = split.index(split.startIndex, offsetBy: 70)
        try tcp.send(String(split[..<cut]))
        let early = tcp.read(seconds: 0.3) { !$0.isEmpty }
        #expect(early.text.isEmpty, "answered before the message was complete: \(early.text)")
        try tcp.send(String(split[cut...]))
        let whole = tcp.read(seconds: 5) { $0.contains("CSeq: 3 OPTIONS") }
        #expect(whole.text.hasPrefix("SIP/2.0 200") && whole.text.contains("CSeq: 3 OPTIONS"), "got:\n\(whole.text)")

        // A CRLF keep-alive ping gets a pong and the connection stays up.
        try tcp.send("\r\n\r\n")
        #expect(tcp.read(seconds: 2) { $0 == "\r\n" }.text == "\r\n")

        // No Content-Length on a stream cannot be framed: 400, then the server closes.
        try tcp.send(Self.options(port: run.sipPort, cseq: 4, branch: "c1").replacingOccurrences(of: "Content-Length: 0\r\n", with: ""))
        let broken = tcp.read(seconds: 5) { _ in false }
        #expect(broken.text.hasPrefix("SIP/2.0 400"), "got:\n\(broken.text)")
        #expect(broken.closed, "the connection must be closed after a framing error")
    }

    /// A request of a TCP caller whose Via names `viaPort` and whose Contact is `contactPort`.
    static func tcpRequest(_ method: String, serverPort: Int, viaPort: Int, contactPort: Int, cseq: Int,
                           toTag: String = "", body: String = "") -> String {
        "\(method) sip:ivr@127.0.0.1:\(serverPort);transport=tcp SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 127.0.0.1:\(viaPort);branch=z9hG4bK\(method.lowercased())\(cseq)\r\n"
            + "From: <sip:+15550002@127.0.0.1>;tag=tcpuac\r\nTo: <sip:ivr@127.0.0.1>\(toTag)\r\n"
            + "Call-ID: tcp-call-1\r\nCSeq: \(cseq) \(method)\r\nContact: <sip:uac@127.0.0.1:\(contactPort);transport=tcp>\r\n"
            + "Max-Forwards: 70\r\n" + (body.isEmpty ? "" : "Content-Type: application/sdp\r\n")
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// INVITE over `tcp` until the 200 (which must carry a TCP Contact), then ACK; waits for RTP.
    /// Returns our To-tag.
    static func tcpCall(run: ServerRun, tcp: TCPClient, contactPort: Int) throws -> String {
        let rtp = try UDPSocket()
        let offer = "v=0\r\no=uac 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio \(rtp.port) RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        try tcp.send(tcpRequest("INVITE", serverPort: run.sipPort, viaPort: tcp.localPort, contactPort: contactPort,
                                cseq: 1, body: offer))
        let answered = tcp.read(seconds: 10) { $0.contains("SIP/2.0 200") && $0.hasSuffix("\r\n") && $0.contains("m=audio") }
        let ok = try #require(answered.text.components(separatedBy: "SIP/2.0 200").last, "no 200:\n\(answered.text)\n\(run.log())")
        #expect(ok.contains(";transport=tcp>"), "Contact of a TCP call: \(ok)")
        let toLine = ok.split(separator: "\r\n").first { $0.hasPrefix("To:") } ?? ""
        let toTag = toLine.range(of: ";tag=").map { String(toLine[$0.lowerBound...]) } ?? ""
        try tcp.send(tcpRequest("ACK", serverPort: run.sipPort, viaPort: tcp.localPort, contactPort: contactPort, cseq: 1,
                                toTag: toTag))
        #expect(rtp.receive(timeoutMs: 3000) != nil, "no RTP")
        return toTag
    }

    /// Reads the server's BYE from `connection` and answers it 200; returns the BYE's text.
    static func answerBye(on connection: TCPClient, toTag: String) throws -> String {
        let bye = connection.read(seconds: 5) { $0.contains("BYE sip:") && $0.contains("\r\n\r\n") }
        let text = try #require(bye.text.range(of: "BYE sip:").map { String(bye.text[$0.lowerBound...]) }, "no BYE:\n\(bye.text)")
        let cseqLine = text.split(separator: "\r\n").first { $0.hasPrefix("CSeq:") }.map(String.init) ?? ""
        let via = text.split(separator: "\r\n").first { $0.hasPrefix("Via:") }.map(String.init) ?? ""
        try connection.send("SIP/2.0 200 OK\r\n\(via)\r\nFrom: <sip:ivr@127.0.0.1>\(toTag)\r\n"
                            + "To: <sip:+15550002@127.0.0.1>;tag=tcpuac\r\nCall-ID: tcp-call-1\r\n\(cseqLine)\r\nContent-Length: 0\r\n\r\n")
        return text
    }

    @Test func tcpCallGetsOurByeOnTheCallersConnection() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let tcp = try TCPClient(port: run.sipPort)
        let toTag = try Self.tcpCall(run: run, tcp: tcp, contactPort: tcp.localPort)
        // The server stops and says BYE on our connection (no new one).
        kill(run.process.processIdentifier, SIGTERM)
        let bye = try Self.answerBye(on: tcp, toTag: toTag)
        #expect(bye.hasPrefix("BYE sip:uac@127.0.0.1:\(tcp.localPort);transport=tcp SIP/2.0"))
        #expect(bye.contains("Via: SIP/2.0/TCP "))
        #expect(run.stop() == 0, "log:\n\(run.log())")
    }

    @Test func tcpCallWhoseConnectionClosedGetsOurByeOnANewConnectionToItsContact() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let contact = try TCPListener()
        let tcp = try TCPClient(port: run.sipPort)
        let toTag = try Self.tcpCall(run: run, tcp: tcp, contactPort: contact.port)
        tcp.shutdownNow()
        usleep(300_000)  // the server notices the close
        kill(run.process.processIdentifier, SIGTERM)
        let fresh = try #require(contact.accept(timeoutMs: 5000), "the server did not connect to the Contact; log:\n\(run.log())")
        let bye = try Self.answerBye(on: fresh, toTag: toTag)
        #expect(bye.hasPrefix("BYE sip:uac@127.0.0.1:\(contact.port);transport=tcp SIP/2.0"))
        #expect(run.stop() == 0, "log:\n\(run.log())")
    }

    // MARK: Opus and RTCP

    /// A plain-socket caller on UDP with RTP on an even port and RTCP on the port above.
    struct MediaCaller {
        let run: ServerRun
        let sip: UDPSocket
        let rtp: UDPSocket
        let rtcp: UDPSocket
        let callID = "transport-\(UUID().uuidString.prefix(8))"
        var toTag = ""

        init(run: ServerRun) throws {
            self.run = run
            sip = try UDPSocket()
            (rtp, rtcp) = try UDPSocket.rtpPair()
        }

        func request(_ method: String, cseq: Int, body: String = "") -> String {
            "\(method) sip:ivr@127.0.0.1:\(run.sipPort) SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:\(sip.port);branch=z9hG4bK\(method.lowercased())\(cseq)\r\n"
                + "From: <sip:+15550001@127.0.0.1>;tag=uac1\r\nTo: <sip:ivr@127.0.0.1>\(toTag)\r\n"
                + "Call-ID: \(callID)\r\nCSeq: \(cseq) \(method)\r\nContact: <sip:uac@127.0.0.1:\(sip.port)>\r\n"
                + "Max-Forwards: 70\r\n" + (body.isEmpty ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        }

        /// INVITE with `media` lines (after `m=audio <port> RTP/AVP `), ACK; returns the 200's text.
        mutating func call(media: String) throws -> String {
            let offer = "v=0\r\no=uac 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio \(rtp.port) RTP/AVP \(media)"
            try sip.send(request("INVITE", cseq: 1, body: offer), toPort: run.sipPort)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                guard let text = sip.receive(timeoutMs: 200).map({ String(decoding: $0, as: UTF8.self) }),
                      text.hasPrefix("SIP/2.0 200") else { continue }
                let toLine = text.split(separator: "\r\n").first { $0.hasPrefix("To:") } ?? ""
                toTag = toLine.range(of: ";tag=").map { String(toLine[$0.lowerBound...]) } ?? ""
                try sip.send(request("ACK", cseq: 1), toPort: run.sipPort)
                return text
            }
            throw TestFailure("no 200 OK; log:\n\(run.log())")
        }

        func hangUp() throws {
            try sip.send(request("BYE", cseq: 2), toPort: run.sipPort)
        }
    }

    @Test func opusCallSendsDecodableOpusAt48kHzTimestamps() throws {
        let run = try ServerRun()
        defer { run.stop() }
        var caller = try MediaCaller(run: run)
        let answer = try caller.call(media: "107 108\r\na=rtpmap:107 opus/48000/2\r\n"
                                     + "a=fmtp:107 useinbandfec=1;stereo=0;sprop-stereo=0;maxplaybackrate=16000\r\n"
                                     + "a=rtpmap:108 telephone-event/48000\r\na=fmtp:108 0-16\r\n")
        #expect(answer.contains("m=audio") && answer.contains("RTP/AVP 107 108"), "answer:\n\(answer)")
        #expect(answer.contains("a=rtpmap:107 opus/48000/2") && answer.contains("a=rtpmap:108 telephone-event/48000"))

        // Collect until the greeting is heard (rendering it may take a while on a loaded machine).
        let decoder = try OpusCodec(pcmSampleRate: 48000, payloadType: 107)
        var pcm = [Int16](repeating: 0, count: 5760)
        var packets: [RTPPacket] = []
        var loudFrames = 0
        var peak: Int32 = 0
        let start = Date()
        while Date().timeIntervalSince(start) < 10, loudFrames < 25 || packets.count < 75 {
            guard let bytes = caller.rtp.receive(timeoutMs: 50), let packet = try? RTPPacket(parsing: bytes) else { continue }
            packets.append(packet)
            // The prompts decode with libopus into speech, not silence.
            let n = try packet.payload.withUnsafeBufferPointer { src in
                try pcm.withUnsafeMutableBufferPointer { try decoder.decode(src, into: $0) }
            }
            #expect(n == 960)
            let energy = pcm.prefix(n).reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
            if energy.squareRoot() > 300 { loudFrames += 1 }
            peak = max(peak, pcm.prefix(n).map { abs(Int32($0)) }.max() ?? 0)
        }
        #expect(loudFrames >= 25, "only \(loudFrames) frames above -40 dBFS in \(packets.count) packets; peak \(peak)")
        #expect(packets.allSatisfy { $0.payloadType == 107 })
        #expect(Set(packets.map(\.ssrc)).count == 1)
        let steps = zip(packets, packets.dropFirst()).map { ($1.timestamp &- $0.timestamp, $1.sequenceNumber &- $0.sequenceNumber) }
        // 960 per 20 ms packet; the media clock runs on through frames the pacer skipped after a
        // stall (a larger multiple of 960 for one sequence step), so only most steps are exactly 960.
        #expect(steps.allSatisfy { $0.0 % 960 == 0 && $0.0 >= 960 * UInt32($0.1) }, "timestamps advance in 960s")
        #expect(steps.filter { $0.0 == 960 && $0.1 == 1 }.count >= steps.count * 8 / 10, "\(steps.prefix(80))")
        let elapsed = Date().timeIntervalSince(start)
        #expect(Double(packets.count) > elapsed * 40, "\(packets.count) packets in \(elapsed) s (50/s expected)")
        try caller.hangUp()
    }

    @Test func rtcpSenderReportOnRTPPortPlusOneMatchesTheRTPStream() throws {
        let run = try ServerRun(extraArguments: ["--log-level", "debug"])
        defer { run.stop() }
        var caller = try MediaCaller(run: run)
        _ = try caller.call(media: "0\r\na=rtpmap:0 PCMU/8000\r\n")
        let serverRTP = try #require(RTPStreamTests.serverRTPPort(run: run))
        // Send some PCMU so the server's report has a block about our stream.
        var sequence: UInt16 = 500
        for k in 0..<25 {
            let packet = RTPPacket(payloadType: 0, sequenceNumber: sequence, timestamp: UInt32(k * 160), ssrc: 0xCA11E5,
                                   payload: [UInt8](repeating: 0xFF, count: 160))
            try caller.rtp.send(packet.bytes, toPort: serverRTP)
            sequence &+= 1
            usleep(20_000)
        }
        var ssrc: UInt32?
        var report: [RTCPPacket]?
        let deadline = Date().addingTimeInterval(7)
        while report == nil, Date() < deadline {
            if let bytes = caller.rtp.receive(timeoutMs: 10), ssrc == nil { ssrc = try? RTPPacket(parsing: bytes).ssrc }
            if let bytes = caller.rtcp.receive(timeoutMs: 10) { report = try RTCPCompound.parse(bytes) }
        }
        let packets = try #require(report, "no RTCP within 7 s; log:\n\(run.log())")
        guard case .senderReport(let sr) = packets.first else {
            Issue.record("not an SR first: \(packets)")
            return
        }
        #expect(sr.ssrc == ssrc, "SR SSRC \(sr.ssrc) vs RTP SSRC \(String(describing: ssrc))")
        #expect(sr.packetCount > 0 && sr.octetCount >= sr.packetCount * 160)
        #expect(sr.reports.first?.ssrc == 0xCA11E5)
        #expect(packets.contains { if case .sourceDescription(let names) = $0 { names.first?.ssrc == sr.ssrc && !names[0].cname.isEmpty } else { false } })

        // Our receiver report about its stream reaches the server's parser.
        let block = RTCPReportBlock(ssrc: sr.ssrc, fractionLost: 128, cumulativeLost: 3, extendedHighestSequence: 10,
                                    jitter: 80, lastSenderReport: NTPTime.middle32(sr.ntpTimestamp), delaySinceLastSenderReport: 0)
        let rr = RTCPCompound.serialize(RTCPCompound.report(senderReport: nil, receiverSSRC: 0xCA11E5, reports: [block], cname: "uac"))
        try caller.rtcp.send(rr, toPort: serverRTP + 1)
        let logDeadline = Date().addingTimeInterval(3)
        while !run.log().contains("caller reports our stream"), Date() < logDeadline { usleep(50_000) }
        #expect(run.log().contains("caller reports our stream: 50% lost (3 total), jitter 10 ms"), "log:\n\(run.log().suffix(3000))")

        // Hanging up: the server's last RTCP packet says BYE.
        try caller.hangUp()
        var bye: [RTCPPacket]?
        let byeDeadline = Date().addingTimeInterval(5)
        while bye == nil, Date() < byeDeadline {
            if let bytes = caller.rtcp.receive(timeoutMs: 100), let parsed = try? RTCPCompound.parse(bytes),
               parsed.contains(where: { if case .bye = $0 { true } else { false } }) { bye = parsed }
        }
        #expect(bye?.last == .bye(ssrcs: [sr.ssrc], reason: "call ended"), "no RTCP BYE")
    }
}

extension ServerRun {
    /// Runs sipp for one call over `transport` (`u1` UDP, `t1` TCP), as `sipp(scenario:)` does.
    func sipp(scenario: String, transport: String) throws -> (status: Int32, output: String) {
        let file = directory.appendingPathComponent("scenario-\(UUID().uuidString.prefix(6)).xml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("sipp-\(UUID().uuidString.prefix(6)).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: SippEndToEndTests.sippPath ?? "/usr/bin/sipp")
        p.currentDirectoryURL = directory
        p.arguments = ["-sf", file.path, "-m", "1", "-t", transport, "-timeout", "20s", "-timeout_error", "-nostdin",
                       "-i", "127.0.0.1", "-p", "\(try freeUDPPort())", "-mp", "\(try freeUDPPort(even: true))",
                       "-trace_err", "127.0.0.1:\(sipPort)"]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = p.standardOutput
        try p.run()
        let status = wait(p, seconds: 30)
        var output = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let errors = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.filter { $0.hasSuffix("_errors.log") } ?? []
        for name in errors { output += (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        return (status, String(output.suffix(4000)))
    }
}
