import Foundation
import Glibc
import Testing
import VoiceGateTestSupport

/// `voicegate serve` against a real SIP client: sipp (Debian `sip-tester`, installed by
/// `make setup`) calls it over loopback UDP. Every spawned process is killed at the end, with
/// SIGKILL as the fallback, and every wait has a deadline, so the test cannot hang.
@Suite(.serialized) struct SippEndToEndTests {
    static var sippPath: String? {
        ["/usr/bin/sipp", "/usr/local/bin/sipp"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// INVITE with a PCMU + telephone-event offer, ACK, `middle` (e.g. a pause), BYE, 200.
    static func scenario(middle: String) -> String {
        """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="voicegate call">
          <send retrans="500">
            <![CDATA[
        INVITE sip:ivr@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:ivr@[remote_ip]:[remote_port]>
        Call-ID: [call_id]
        CSeq: 1 INVITE
        Contact: <sip:sipp@[local_ip]:[local_port]>
        Max-Forwards: 70
        Content-Type: application/sdp
        Content-Length: [len]

        v=0
        o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
        s=-
        c=IN IP[media_ip_type] [media_ip]
        t=0 0
        m=audio [media_port] RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        ]]>
          </send>
          <recv response="100" optional="true"/>
          <recv response="180" optional="true"/>
          <recv response="200" rtd="true"/>
          <send>
            <![CDATA[
        ACK sip:ivr@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:ivr@[remote_ip]:[remote_port]>[peer_tag_param]
        Call-ID: [call_id]
        CSeq: 1 ACK
        Contact: <sip:sipp@[local_ip]:[local_port]>
        Max-Forwards: 70
        Content-Length: 0

        ]]>
          </send>
        \(middle)
          <send retrans="500">
            <![CDATA[
        BYE sip:ivr@[remote_ip]:[remote_port] SIP/2.0
        Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
        From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
        To: <sip:ivr@[remote_ip]:[remote_port]>[peer_tag_param]
        Call-ID: [call_id]
        CSeq: 2 BYE
        Contact: <sip:sipp@[local_ip]:[local_port]>
        Max-Forwards: 70
        Content-Length: 0

        ]]>
          </send>
          <recv response="200"/>
        </scenario>
        """
    }

    /// INVITE and ACK as `scenario`, then the server's BYE (answered 200) instead of ours.
    static func serverHangsUpScenario() -> String {
        let full = scenario(middle: "")
        let head = full.components(separatedBy: "  <send retrans=\"500\">\n    <![CDATA[\nBYE")[0]
        return head + answerServerBye() + "</scenario>\n"
    }

    /// sipp steps: wait for VoiceGate's BYE (up to `timeoutMs`, else sipp's own default) and
    /// answer it 200.
    static func answerServerBye(timeoutMs: Int? = nil) -> String {
        let timeout = timeoutMs.map { " timeout=\"\($0)\"" } ?? ""
        return """
              <recv request="BYE"\(timeout)/>
              <send>
                <![CDATA[
            SIP/2.0 200 OK
            [last_Via:]
            [last_From:]
            [last_To:]
            [last_Call-ID:]
            [last_CSeq:]
            Content-Length: 0

            ]]>
              </send>

            """
    }

    @Test(.enabled(if: sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func silentCallerIsHungUpByTheMediaTimeout() throws {
        let run = try ServerRun(extraArguments: ["--media-timeout", "1.5"])
        defer { run.stop() }
        let scenario = Self.serverHangsUpScenario()
        #expect(scenario.contains("<recv request=\"BYE\"/>") && !scenario.contains("BYE sip:"))
        let sipp = try run.sipp(scenario: scenario)
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        #expect(run.log().contains("call ended: media timeout"), "log:\n\(run.log())")
    }

    @Test(.enabled(if: sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func sippCallHearsTheGreetingAndHangsUp() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let sipp = try run.sipp(scenario: Self.scenario(middle: "  <pause milliseconds=\"3000\"/>"))
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        let trace = run.traces()
        #expect(trace.contains("\"type\":\"prompt\"") && trace.contains("\"id\":\"greeting\"")
                && trace.contains("\"state\":\"started\""), "no greeting in trace:\n\(trace)\nlog:\n\(run.log())")
        #expect(run.log().contains("prompt greeting (en) started"))
        #expect(run.log().contains("call ended: caller hung up"))
        #expect(run.stop() == 0, "server did not stop cleanly:\n\(run.log())")
    }

    @Test(.enabled(if: sippPath != nil && FileManager.default.fileExists(atPath: "/usr/share/sip-tester/dtmf_2833_1.pcap"),
                   "sipp's RFC 4733 pcap files are not installed"))
    func rfc4733KeyReachesTheMenu() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let middle = """
              <pause milliseconds="1500"/>
              <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_1.pcap"/></action></nop>
              <pause milliseconds="2500"/>
            """
        let sipp = try run.sipp(scenario: Self.scenario(middle: middle))
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        let trace = run.traces()
        // Key 1 in the greeting menu is the balance intent (keys themselves are never logged).
        #expect(trace.contains("\"type\":\"dtmf\""), "no key in trace:\n\(trace)\nlog:\n\(run.log())")
        #expect(trace.contains("\"type\":\"intent\"") && trace.contains("\"name\":\"balance\""),
                "no balance intent in trace:\n\(trace)")
        #expect(!run.log().contains("key 1"))
    }
}

/// One `voicegate serve` process on free loopback ports with a temporary bank, cache and
/// trace folder; its stderr goes to a file the test reads.
final class ServerRun {
    let directory: URL
    let process: Process
    let sipPort: Int
    let logURL: URL
    private var stopped: Int32?

    init(extraArguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("voicegate-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logURL = directory.appendingPathComponent("server.log")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // A port free a moment ago may be taken by another test's socket before the server binds
        // it (the SIP port is bound for UDP and TCP): such a start is retried on other ports.
        var attempt = 0
        while true {
            attempt += 1
            let port = try freeSIPPort()
            let rtpBase = 30000 + 2 * Int.random(in: 0..<7000)
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
            let candidate = Process()
            candidate.executableURL = try voicegateBinary()
            candidate.currentDirectoryURL = root
            candidate.arguments = ["serve", "--sip-port", "\(port)", "--rtp-ports", "\(rtpBase)-\(rtpBase + 40)",
                                   "--bank", directory.appendingPathComponent("bank.sqlite").path,
                                   "--cache", directory.appendingPathComponent("cache").path,
                                   "--db", directory.appendingPathComponent("db.sqlite").path,
                                   "--trace-dir", directory.appendingPathComponent("traces").path,
                                   // Parallel servers: any free admin port; stop at once unless a test
                                   // asks for draining (a later flag wins).
                                   "--http-port", "0", "--drain-timeout", "0"] + extraArguments
            candidate.standardOutput = FileHandle.nullDevice
            candidate.standardError = try FileHandle(forWritingTo: logURL)
            try candidate.run()
            let deadline = Date().addingTimeInterval(60)
            var started = false
            while Date() < deadline {
                if Self.contents(of: logURL).contains("listening on udp") { started = true; break }
                if !candidate.isRunning { break }
                usleep(50_000)
            }
            if started {
                process = candidate
                sipPort = port
                return
            }
            let failure = Self.contents(of: logURL)
            if candidate.isRunning { kill(candidate.processIdentifier, SIGKILL) }
            _ = wait(candidate, seconds: 5)
            guard failure.contains("Address already in use"), attempt < 4 else {
                throw TestFailure("server did not start:\n\(failure)")
            }
        }
    }

    private static func contents(of url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    func log() -> String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// The server's records database (`--db`).
    var databasePath: String { directory.appendingPathComponent("db.sqlite").path }

    /// A new API token with `role` for the console and API, made as ops would make it
    /// (`voicegate admin add-token`, into the running server's database).
    func adminToken(role: String, name: String = "test-\(UUID().uuidString.prefix(6))") throws -> String {
        let output = try runAdmin(["add-token", name, "--role", role, "--db", databasePath], input: nil)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new console user with `role` and `password` (`voicegate admin add-user`, password on stdin).
    func addAdminUser(_ name: String, role: String, password: String) throws {
        _ = try runAdmin(["add-user", name, "--role", role, "--db", databasePath], input: password + "\n")
    }

    private func runAdmin(_ arguments: [String], input: String?) throws -> String {
        let p = Process()
        p.executableURL = try voicegateBinary()
        p.arguments = ["admin"] + arguments
        let out = Pipe()
        let inPipe = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = inPipe
        try p.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        guard wait(p, seconds: 30) == 0 else { throw TestFailure("voicegate admin \(arguments.prefix(2)) failed") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every trace file's lines, concatenated.
    func traces() -> String {
        let folder = directory.appendingPathComponent("traces")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            .joined()
    }

    /// Runs sipp with `scenario` for one call (20 s limit), killed if it overruns.
    func sipp(scenario: String) throws -> (status: Int32, output: String) {
        let file = directory.appendingPathComponent("scenario-\(UUID().uuidString.prefix(6)).xml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("sipp-\(UUID().uuidString.prefix(6)).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: SippEndToEndTests.sippPath ?? "/usr/bin/sipp")
        p.currentDirectoryURL = directory
        p.arguments = ["-sf", file.path, "-m", "1", "-timeout", "20s", "-timeout_error", "-nostdin",
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

    /// Stops the server (SIGTERM, then SIGKILL after 5 s); returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        if let stopped { return stopped }
        var status: Int32 = -1
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            status = wait(process, seconds: 5)
        } else if process.processIdentifier != 0 {
            status = process.terminationStatus
        }
        stopped = status
        return status
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Waits up to `seconds` for `p`; SIGKILLs it past that. Returns the exit status (-9 when killed).
func wait(_ p: Process, seconds: Double) -> Int32 {
    let deadline = Date().addingTimeInterval(seconds)
    while p.isRunning && Date() < deadline { usleep(20_000) }
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        let hard = Date().addingTimeInterval(5)
        while p.isRunning && Date() < hard { usleep(20_000) }
        return -9
    }
    return p.terminationStatus
}

/// A UDP port that was free on loopback a moment ago (bound to port 0, then released).
func freeUDPPort(even: Bool = false) throws -> Int {
    for _ in 0..<50 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { break }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { continue }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if !even || port % 2 == 0 { return port }
    }
    throw TestFailure("no free UDP port")
}

/// A loopback port free a moment ago for both UDP and TCP, as `serve` binds its SIP port for both.
func freeSIPPort() throws -> Int {
    for _ in 0..<50 {
        let port = try freeUDPPort()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { break }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return port }
    }
    throw TestFailure("no port free for both UDP and TCP")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
