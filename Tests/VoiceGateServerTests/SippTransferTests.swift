import Foundation
import Glibc
import Testing
import VoiceGateServer

/// Transfers against real sipp processes: the caller's phone presses 0 (SIP INFO) in the
/// greeting, the menu transfers to the agent queue, and the phone (a) accepts the REFER or
/// (b) refuses it, when a second sipp playing the agent at `--agent-uri` gets VoiceGate's own
/// INVITE and the caller's RTP reaches the agent's media port (a plain socket counting packets).
@Suite(.serialized) struct SippTransferTests {
    static var enabled: Bool { SippEndToEndTests.sippPath != nil }

    /// A line of a SIP message (`Name: value`) from sipp's message log, from the first message
    /// that starts with `startLine`.
    static func header(_ name: String, in log: String, message startLine: String) -> String? {
        guard let start = log.range(of: startLine) else { return nil }
        let rest = log[start.lowerBound...]
        let ends = [rest.range(of: "\n\n"), rest.range(of: "\r\n\r\n")].compactMap { $0?.lowerBound }
        let message = ends.min().map { rest[..<$0] } ?? rest
        for line in message.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased() {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The caller: INVITE (PCMU + telephone-event), ACK, key 0 by INFO, the REFER answered
    /// with `referStatus`, then `afterRefer`.
    static func callerScenario(referStatus: Int, afterRefer: String) -> String {
        let head = SippEndToEndTests.scenario(middle: "").components(separatedBy: "  <send retrans=\"500\">\n    <![CDATA[\nBYE")[0]
        return head + """
              <pause milliseconds="800"/>
              <send retrans="500">
                <![CDATA[
            INFO sip:ivr@[remote_ip]:[remote_port] SIP/2.0
            Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
            From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
            To: <sip:ivr@[remote_ip]:[remote_port]>[peer_tag_param]
            Call-ID: [call_id]
            CSeq: 2 INFO
            Max-Forwards: 70
            Content-Type: application/dtmf-relay
            Content-Length: [len]

            Signal=0
            Duration=160
            ]]>
              </send>
              <recv response="200"/>
              <recv request="REFER" timeout="15000"/>
              <send>
                <![CDATA[
            SIP/2.0 \(referStatus) \(referStatus == 202 ? "Accepted" : "Decline")
            [last_Via:]
            [last_From:]
            [last_To:]
            [last_Call-ID:]
            [last_CSeq:]
            Content-Length: 0

            ]]>
              </send>
            \(afterRefer)
            </scenario>
            """
    }

    /// The caller's NOTIFY with a final sipfrag, then VoiceGate's BYE.
    static let notifyDoneThenBye = """
          <send retrans="500">
            <![CDATA[
        NOTIFY sip:voicegate@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:ivr@[remote_ip]:[remote_port]>[peer_tag_param]
        Call-ID: [call_id]
        CSeq: 3 NOTIFY
        Max-Forwards: 70
        Event: refer
        Subscription-State: terminated;reason=noresource
        Content-Type: message/sipfrag;version=2.0
        Content-Length: [len]

        SIP/2.0 200 OK
        ]]>
          </send>
          <recv response="200"/>
        \(answerBye)
        """

    /// VoiceGate's BYE, answered 200.
    static let answerBye = SippEndToEndTests.answerServerBye(timeoutMs: 15000)

    /// The agent: answers VoiceGate's INVITE with PCMU to `mediaPort` (the test's counting
    /// socket), talks for a moment, hangs up.
    static func agentScenario(mediaPort: Int, gatewayPort: Int) -> String {
        """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="agent">
          <recv request="INVITE">
            <action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="caller_from"/></action>
          </recv>
          <send>
            <![CDATA[
        SIP/2.0 180 Ringing
        [last_Via:]
        [last_From:]
        [last_To:];tag=[pid]SIPpTag01[call_number]
        [last_Call-ID:]
        [last_CSeq:]
        Content-Length: 0

        ]]>
          </send>
          <send retrans="500">
            <![CDATA[
        SIP/2.0 200 OK
        [last_Via:]
        [last_From:]
        [last_To:];tag=[pid]SIPpTag01[call_number]
        [last_Call-ID:]
        [last_CSeq:]
        Contact: <sip:agent7@[local_ip]:[local_port]>
        Content-Type: application/sdp
        Content-Length: [len]

        v=0
        o=agent 1 1 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio \(mediaPort) RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        ]]>
          </send>
          <recv request="ACK"/>
          <pause milliseconds="2500"/>
          <send retrans="500">
            <![CDATA[
        BYE sip:voicegate@127.0.0.1:\(gatewayPort) SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: <sip:agents@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
        To: [$caller_from]
        Call-ID: [call_id]
        CSeq: 1 BYE
        Max-Forwards: 70
        Content-Length: 0

        ]]>
          </send>
          <recv response="200"/>
        </scenario>
        """
    }

    @Test(.enabled(if: enabled, "sipp (sip-tester) is not installed; run make setup"))
    func phoneReceivesTheReferWithTheContextHeaders() throws {
        let run = try ServerRun(extraArguments: ["--agent-uri", "sip:agents@127.0.0.1:5999", "--transfer-timeout", "5"])
        let caller = try SippProcess(run: run, name: "caller",
                                     scenario: Self.callerScenario(referStatus: 202, afterRefer: Self.notifyDoneThenBye))
        let status = caller.wait()
        #expect(status == 0, "caller sipp failed:\n\(caller.output())\nserver log:\n\(run.log())")
        let log = caller.messages()
        let referTo = try #require(Self.header("Refer-To", in: log, message: "REFER sip:"), "no REFER in:\n\(log)")
        #expect(referTo.hasPrefix("<sip:agents@127.0.0.1:5999?"))
        #expect(referTo.contains("X-VoiceGate-Context-Id="))
        let callID = try #require(Self.header("Call-ID", in: log, message: "REFER sip:"))
        #expect(Self.header("X-VoiceGate-Context-Id", in: log, message: "REFER sip:") == callID)
        #expect(Self.header("Referred-By", in: log, message: "REFER sip:")?.contains("voicegate@127.0.0.1:\(run.sipPort)") == true)
        let uui = try #require(Self.header("User-to-User", in: log, message: "REFER sip:"))
        let decoded = UserToUser.parse(uui)
        #expect(decoded.data.map { String(decoding: $0, as: UTF8.self) } == callID)  // the key is the Call-ID
        #expect(decoded.parameters["encoding"] == "hex" && decoded.parameters["purpose"] == "call")
        #expect(run.log().contains("transfer done (refer)"), "server log:\n\(run.log())")
        #expect(run.traces().contains("\"mode\":\"refer\"") && run.traces().contains("\"outcome\":\"transferred\""))
    }

    /// A tone as raw G.711 μ-law bytes (sign-magnitude segments, RFC-free: ITU-T G.711).
    static func ulawTone(seconds: Int) -> [UInt8] {
        (0..<(8000 * seconds)).map { n in
            let sample = Int(8000 * sin(2 * Double.pi * 400 * Double(n) / 8000))
            let sign: UInt8 = sample < 0 ? 0x00 : 0x80
            let magnitude = min(abs(sample), 32635) + 0x84
            var exponent = 7
            while exponent > 0 && magnitude & (0x4000 >> (7 - exponent)) == 0 { exponent -= 1 }
            let mantissa = (magnitude >> (exponent + 3)) & 0x0F
            return ~(sign | UInt8(exponent << 4) | UInt8(mantissa))
        }
    }

    @Test(.enabled(if: enabled, "sipp (sip-tester) is not installed; run make setup"))
    func refusedReferIsBridgedToTheAgent() throws {
        let agentPort = try freeUDPPort()
        let media = try CountingSocket()
        let run = try ServerRun(extraArguments: ["--agent-uri", "sip:agents@127.0.0.1:\(agentPort)", "--transfer-timeout", "5"])
        let agent = try SippProcess(run: run, name: "agent", scenario: Self.agentScenario(mediaPort: media.port, gatewayPort: run.sipPort),
                                    arguments: ["-p", "\(agentPort)"], remote: nil)
        // The caller talks once it refused the REFER: sipp streams raw PCMU (a 400 Hz tone).
        let audio = run.directory.appendingPathComponent("caller.ulaw")
        try Data(Self.ulawTone(seconds: 6)).write(to: audio)
        let talk = "  <nop><action><exec rtp_stream=\"\(audio.path),1,0\"/></action></nop>\n"
        let caller = try SippProcess(run: run, name: "caller",
                                     scenario: Self.callerScenario(referStatus: 603, afterRefer: talk + Self.answerBye))
        let callerStatus = caller.wait()
        let agentStatus = agent.wait()
        let serverLog = run.log()
        #expect(callerStatus == 0, "caller sipp failed:\n\(caller.output())\nserver log:\n\(serverLog)")
        #expect(agentStatus == 0, "agent sipp failed:\n\(agent.output())\nagent messages:\n\(agent.messages().suffix(2500))")

        let log = agent.messages()
        let callerLog = caller.messages()
        let callerCallID = try #require(Self.header("Call-ID", in: callerLog, message: "REFER sip:"), "no REFER:\n\(callerLog)")
        #expect(Self.header("X-VoiceGate-Context-Id", in: log, message: "INVITE sip:") == callerCallID, "agent log:\n\(log)")
        let uui = try #require(Self.header("User-to-User", in: log, message: "INVITE sip:"))
        #expect(UserToUser.parse(uui).data.map { String(decoding: $0, as: UTF8.self) } == callerCallID)
        #expect(Self.header("Call-ID", in: log, message: "INVITE sip:") != callerCallID)
        #expect(Self.header("From", in: log, message: "INVITE sip:")?.contains("+15550001") == true)
        #expect(log.contains("m=audio") && log.contains("RTP/AVP 0 101"))
        #expect(log.contains("ACK sip:agent7@"))

        let (packets, ssrcs, payloadTypes) = media.stop()
        #expect(packets >= 25, "only \(packets) RTP packets reached the agent\nserver log:\n\(serverLog)")
        #expect(ssrcs.count == 1 && payloadTypes == [0])
        #expect(serverLog.contains("bridge connected"))
        #expect(serverLog.contains("agent hung up"))
        let traces = run.traces()
        #expect(traces.contains("\"mode\":\"refer\"") && traces.contains("\"outcome\":\"failed\""))
        #expect(traces.contains("\"mode\":\"bridge\"") && traces.contains("\"outcome\":\"transferred\""))
    }

    /// The agent refuses (486): the caller stays up for the sorry prompt, then gets BYE.
    static let busyAgentScenario = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="busy agent">
          <recv request="INVITE"/>
          <send>
            <![CDATA[
        SIP/2.0 486 Busy Here
        [last_Via:]
        [last_From:]
        [last_To:];tag=[pid]SIPpTag01[call_number]
        [last_Call-ID:]
        [last_CSeq:]
        Content-Length: 0

        ]]>
          </send>
          <recv request="ACK"/>
        </scenario>
        """

    @Test(.enabled(if: enabled, "sipp (sip-tester) is not installed; run make setup"))
    func busyAgentMeansSorryThenBye() throws {
        let agentPort = try freeUDPPort()
        let run = try ServerRun(extraArguments: ["--agent-uri", "sip:agents@127.0.0.1:\(agentPort)", "--transfer-timeout", "5"])
        let agent = try SippProcess(run: run, name: "agent", scenario: Self.busyAgentScenario,
                                    arguments: ["-p", "\(agentPort)"], remote: nil)
        let caller = try SippProcess(run: run, name: "caller",
                                     scenario: Self.callerScenario(referStatus: 603, afterRefer: Self.answerBye))
        let callerStatus = caller.wait()
        let agentStatus = agent.wait()
        let serverLog = run.log()
        #expect(callerStatus == 0, "caller sipp failed:\n\(caller.output())\nserver log:\n\(serverLog)")
        #expect(agentStatus == 0, "agent sipp failed:\n\(agent.output())")
        #expect(serverLog.contains("transfer_failed (bridge)") && serverLog.contains("486 from the agent"), "server log:\n\(serverLog)")
        #expect(serverLog.contains("call ended: transfer_failed"))
        #expect(serverLog.contains("bridge: playing transfer_failed"))  // the sorry prompt before the BYE
        let traces = run.traces()
        #expect(traces.contains("\"mode\":\"bridge\"") && traces.contains("\"outcome\":\"failed\""))
    }
}

/// A sipp process run in the background against a `ServerRun` (20 s limit), logging every
/// SIP message it sends and receives.
final class SippProcess {
    let process = Process()
    let outURL: URL
    let messagesURL: URL

    init(run: ServerRun, name: String, scenario: String, arguments: [String] = [], remote: String? = "") throws {
        let tag = "\(name)-\(UUID().uuidString.prefix(6))"
        let file = run.directory.appendingPathComponent("\(tag).xml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        outURL = run.directory.appendingPathComponent("\(tag).out")
        messagesURL = run.directory.appendingPathComponent("\(tag)-messages.log")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: SippEndToEndTests.sippPath ?? "/usr/bin/sipp")
        process.currentDirectoryURL = run.directory
        var args = ["-sf", file.path, "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin", "-i", "127.0.0.1",
                    "-mp", "\(try freeUDPPort(even: true))", "-trace_msg", "-message_file", messagesURL.path]
        if !arguments.contains("-p") { args += ["-p", "\(try freeUDPPort())"] }
        args += arguments
        if remote != nil { args.append("127.0.0.1:\(run.sipPort)") }
        process.arguments = args
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = process.standardOutput
        try process.run()
    }

    /// Waits for the end (30 s at most, then SIGKILL); the exit status.
    func wait() -> Int32 { VoiceGateServerTests.wait(process, seconds: 30) }

    func output() -> String { String(((try? String(contentsOf: outURL, encoding: .utf8)) ?? "").suffix(3000)) }

    func messages() -> String { (try? String(contentsOf: messagesURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A loopback UDP socket counting the RTP packets it receives (a reader thread until `stop`).
final class CountingSocket: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private let thread: Thread
    private let box = Box()

    final class Box: @unchecked Sendable {
        var packets = 0
        var ssrcs: Set<UInt32> = []
        var payloadTypes: Set<UInt8> = []
        var stopped = false
    }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw TestFailure("cannot bind the agent media socket") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let box = self.box
        thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 2048)
            while !box.stopped {
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n >= 12 else { continue }
                box.packets += 1
                box.payloadTypes.insert(buffer[1] & 0x7F)
                box.ssrcs.insert(UInt32(buffer[8]) << 24 | UInt32(buffer[9]) << 16 | UInt32(buffer[10]) << 8 | UInt32(buffer[11]))
            }
        }
        thread.start()
    }

    /// Stops reading; what arrived.
    func stop() -> (packets: Int, ssrcs: Set<UInt32>, payloadTypes: Set<UInt8>) {
        box.stopped = true
        usleep(250_000)
        return (box.packets, box.ssrcs, box.payloadTypes)
    }

    deinit {
        box.stopped = true
        close(fd)
    }
}
