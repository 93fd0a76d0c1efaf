import Foundation
import Glibc
import Testing
import VoiceGateDSP

/// What the caller receives: a plain-socket UAC offers PCMA only, counts the RTP the server
/// sends for two seconds (payload type, pacing, one SSRC, consecutive sequence numbers) and
/// hangs up. Needs no sipp.
@Suite struct RTPStreamTests {
    /// A caller on two plain sockets (SIP and RTP) offering PCMA and telephone-event.
    struct Caller {
        let run: ServerRun
        let sip: UDPSocket
        let rtp: UDPSocket
        let callID = "rtp-test-\(UUID().uuidString.prefix(8))"
        /// Our To-tag once answered.
        var toTag = ""

        init(run: ServerRun) throws {
            self.run = run
            sip = try UDPSocket()
            rtp = try UDPSocket()
        }

        func request(_ method: String, cseq: Int, body: String = "") -> String {
            "\(method) sip:ivr@127.0.0.1:\(run.sipPort) SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:\(sip.port);branch=z9hG4bK\(method.lowercased())\(cseq)\r\n"
                + "From: <sip:+15550001@127.0.0.1>;tag=uac1\r\nTo: <sip:ivr@127.0.0.1>\(toTag)\r\n"
                + "Call-ID: \(callID)\r\nCSeq: \(cseq) \(method)\r\nContact: <sip:uac@127.0.0.1:\(sip.port)>\r\n"
                + "Max-Forwards: 70\r\n" + (body.isEmpty ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        }

        /// INVITE until the 200 OK, then ACK. Returns the statuses seen and the 200's text.
        mutating func call() throws -> (statuses: [Int], answer: String) {
            let offer = "v=0\r\no=uac 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio \(rtp.port) RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            try sip.send(request("INVITE", cseq: 1, body: offer), toPort: run.sipPort)
            var statuses: [Int] = []
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                guard let text = sip.receive(timeoutMs: 200).map({ String(decoding: $0, as: UTF8.self) }),
                      text.hasPrefix("SIP/2.0 "), let status = Int(text.dropFirst(8).prefix(3)) else { continue }
                statuses.append(status)
                guard status == 200 else { continue }
                let toLine = text.split(separator: "\r\n").first { $0.hasPrefix("To:") } ?? ""
                toTag = toLine.range(of: ";tag=").map { String(toLine[$0.lowerBound...]) } ?? ""
                try sip.send(request("ACK", cseq: 1), toPort: run.sipPort)
                return (statuses, text)
            }
            throw TestFailure("no 200 OK (saw \(statuses)); log:\n\(run.log())")
        }
    }

    @Test func answeredCallStreamsPacedPCMA() throws {
        let run = try ServerRun()
        defer { run.stop() }
        var caller = try Caller(run: run)
        let (statuses, answer) = try caller.call()
        #expect(statuses.first == 100 && !statuses.contains(180))
        #expect(answer.contains("m=audio") && answer.contains("RTP/AVP 8 101"))

        var packets: [[UInt8]] = []
        let start = Date()
        while Date().timeIntervalSince(start) < 2 {
            if let packet = caller.rtp.receive(timeoutMs: 50) { packets.append(packet) }
        }
        #expect((80...120).contains(packets.count), "\(packets.count) packets in 2 s (50/s expected)")
        #expect(packets.allSatisfy { $0.count == 12 + 160 && $0[1] & 0x7F == 8 })
        let ssrcs = Set(packets.map { Array($0[8..<12]) })
        #expect(ssrcs.count == 1)
        let sequence = packets.map { UInt16($0[2]) << 8 | UInt16($0[3]) }
        #expect(zip(sequence, sequence.dropFirst()).allSatisfy { $1 == $0 &+ 1 })
        // The greeting is speech, not silence: A-law silence is 0xD5 / 0x55. Its first rendering
        // (eSpeak, cold cache) may take a few seconds on a loaded machine: the line stays paced
        // meanwhile (checked above), so listen on for up to 8 s in all.
        func isSpeech(_ packet: [UInt8]) -> Bool { packet[12...].contains { $0 != 0xD5 && $0 != 0x55 } }
        var heardSpeech = packets.contains(where: isSpeech)
        while !heardSpeech, Date().timeIntervalSince(start) < 8 {
            if let packet = caller.rtp.receive(timeoutMs: 50) { heardSpeech = isSpeech(packet) }
        }
        #expect(heardSpeech, "no speech in the first 8 s of the call")

        try caller.sip.send(caller.request("BYE", cseq: 2), toPort: run.sipPort)
        var byeAnswered = false
        let byeDeadline = Date().addingTimeInterval(5)
        while !byeAnswered, Date() < byeDeadline {
            if let text = caller.sip.receive(timeoutMs: 200).map({ String(decoding: $0, as: UTF8.self) }) {
                byeAnswered = text.hasPrefix("SIP/2.0 200") && text.contains("CSeq: 2 BYE")
            }
        }
        #expect(byeAnswered)
    }

    /// Several calls at once share each event loop's 20 ms media clock: every call gets its own
    /// paced stream (its SSRC, consecutive sequence numbers, 50 packets/s), and a call that hangs
    /// up leaves the clock without stopping the others on its loop.
    @Test func concurrentCallsStreamPacedUntilEachOwnBye() throws {
        let run = try ServerRun()
        defer { run.stop() }
        var callers: [Caller] = []
        for _ in 0..<6 {
            var caller = try Caller(run: run)
            _ = try caller.call()
            callers.append(caller)
        }
        func drain(_ caller: Caller) -> [[UInt8]] {
            var packets: [[UInt8]] = []
            while let packet = caller.rtp.receive(timeoutMs: 0) { packets.append(packet) }
            return packets
        }
        for caller in callers { _ = drain(caller) }
        usleep(2_000_000)
        var ssrcs = Set<[UInt8]>()
        for (index, caller) in callers.enumerated() {
            let packets = drain(caller)
            #expect((70...130).contains(packets.count), "call \(index): \(packets.count) packets in 2 s (50/s expected)")
            let sequence = packets.map { UInt16($0[2]) << 8 | UInt16($0[3]) }
            #expect(zip(sequence, sequence.dropFirst()).allSatisfy { $1 == $0 &+ 1 }, "call \(index): a gap in \(sequence)")
            #expect(Set(packets.map { Array($0[8..<12]) }).count == 1, "call \(index): more than one SSRC")
            if let first = packets.first { ssrcs.insert(Array(first[8..<12])) }
        }
        #expect(ssrcs.count == callers.count, "each call its own SSRC")

        // The first caller hangs up; the others go on at 50 packets/s.
        try callers[0].sip.send(callers[0].request("BYE", cseq: 2), toPort: run.sipPort)
        var byeAnswered = false
        let byeDeadline = Date().addingTimeInterval(5)
        while !byeAnswered, Date() < byeDeadline {
            if let text = callers[0].sip.receive(timeoutMs: 200).map({ String(decoding: $0, as: UTF8.self) }) {
                byeAnswered = text.hasPrefix("SIP/2.0 200") && text.contains("CSeq: 2 BYE")
            }
        }
        #expect(byeAnswered)
        usleep(200_000)
        for caller in callers { _ = drain(caller) }
        usleep(1_000_000)
        #expect(drain(callers[0]).isEmpty, "RTP after the BYE")
        for (index, caller) in callers.enumerated().dropFirst() {
            let count = drain(caller).count
            #expect((30...70).contains(count), "call \(index): \(count) packets in 1 s after another call's BYE")
        }
    }

    /// Ringing first (--answer-delay-ms), an in-band key in the caller's audio (decoded,
    /// detected by the front end, a menu choice), then SIGTERM: the server says BYE.
    @Test func inBandKeyAfterRingingThenShutdownSaysBye() throws {
        let run = try ServerRun(extraArguments: ["--answer-delay-ms", "300"])
        defer { run.stop() }
        var caller = try Caller(run: run)
        let (statuses, _) = try caller.call()
        #expect(statuses.contains(180) && statuses.last == 200, "\(statuses)")

        // 0.6 s silence, key 3 for 120 ms, 0.6 s silence: PCMA, paced at 20 ms.
        let audio = ToneGenerator.silence(duration: 0.6) + ToneGenerator.dtmf(DTMFDigit("3")!, duration: 0.12)
            + ToneGenerator.silence(duration: 0.6)
        let rtpPort = try #require(Self.serverRTPPort(run: run))
        var sequence: UInt16 = 100
        var timestamp: UInt32 = 8000
        let start = Date()
        for (index, frameStart) in stride(from: 0, to: audio.count - 159, by: 160).enumerated() {
            var packet: [UInt8] = [0x80, 8, UInt8(sequence >> 8), UInt8(sequence & 0xFF),
                                   UInt8(timestamp >> 24), UInt8((timestamp >> 16) & 0xFF),
                                   UInt8((timestamp >> 8) & 0xFF), UInt8(timestamp & 0xFF), 0x12, 0x34, 0x56, 0x78]
            packet += audio[frameStart..<frameStart + 160].map { G711.alawEncode($0) }
            try caller.rtp.send(packet, toPort: rtpPort)
            sequence &+= 1
            timestamp &+= 160
            let due = start.addingTimeInterval(Double(index + 1) * 0.02)
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        }
        let traces = { run.traces() }
        let keyDeadline = Date().addingTimeInterval(3)
        while !traces().contains("\"name\":\"card\""), Date() < keyDeadline { usleep(50_000) }
        #expect(traces().contains("\"type\":\"intent\"") && traces().contains("\"name\":\"card\""),
                "no card intent from the in-band key:\n\(traces())")

        kill(run.process.processIdentifier, SIGTERM)
        var bye: String?
        let byeDeadline = Date().addingTimeInterval(5)
        while bye == nil, Date() < byeDeadline {
            if let text = caller.sip.receive(timeoutMs: 200).map({ String(decoding: $0, as: UTF8.self) }),
               text.hasPrefix("BYE ") { bye = text }
        }
        let request = try #require(bye, "no BYE on shutdown; log:\n\(run.log())")
        #expect(request.contains("Call-ID: \(caller.callID)"))
        #expect(request.contains("To: <sip:+15550001@127.0.0.1>;tag=uac1"))
        #expect(run.stop() == 0)
    }

    /// The server's RTP port from its SDP answer, as logged ("RTP port N").
    static func serverRTPPort(run: ServerRun) -> Int? {
        guard let range = run.log().range(of: "RTP port ") else { return nil }
        return Int(run.log()[range.upperBound...].prefix { $0.isNumber })
    }
}

/// A loopback UDP socket (blocking receive with a timeout) on `port`, or on a free port when 0.
final class UDPSocket {
    let fd: Int32
    let port: Int

    init(port: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); throw TestFailure("bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }

    func send(_ text: String, toPort: Int) throws { try send(Array(text.utf8), toPort: toPort) }

    func send(_ bytes: [UInt8], toPort: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(toPort).bigEndian
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { throw TestFailure("sendto failed") }
    }

    /// One datagram, or nil after `timeoutMs`.
    func receive(timeoutMs: Int32) -> [UInt8]? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMs) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer.prefix(n)) : nil
    }
}
