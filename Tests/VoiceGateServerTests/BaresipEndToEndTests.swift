import Foundation
import Glibc
import Testing
import VoiceGateDSP

/// `voicegate serve` against a real softphone: baresip (Debian `baresip-core`, installed by
/// `make setup`) runs headless — audio from a silent WAV (`aufile`), what it hears recorded
/// by the `sndfile` filter, no sound card — dials in, presses 1 (RFC 4733, `/sndcode`) after
/// the greeting started, and hangs up. baresip is steered through its `cons` UDP console, so
/// the test waits on the server's trace instead of sleeping blindly; `-t` is a hard stop.
@Suite(.serialized) struct BaresipEndToEndTests {
    static var baresipPath: String? {
        ["/usr/bin/baresip", "/usr/local/bin/baresip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var modulePath: String? {
        ["/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules", "/usr/lib/x86_64-linux-gnu/baresip/modules"]
            .first { FileManager.default.fileExists(atPath: $0 + "/aufile.so") && FileManager.default.fileExists(atPath: $0 + "/sndfile.so") }
    }

    @Test(.enabled(if: baresipPath != nil && modulePath != nil, "baresip (baresip-core) is not installed; run make setup"))
    func baresipHearsTheGreetingAndItsKeyReachesTheMenu() throws {
        let run = try ServerRun()
        defer { run.stop() }
        let phone = try Baresip(directory: run.directory.appendingPathComponent("baresip"),
                                modulePath: try #require(Self.modulePath))
        defer { phone.stop() }
        try phone.start(dialing: "sip:ivr@127.0.0.1:\(run.sipPort)")

        // The greeting plays (a cold prompt cache may take seconds to render it in a debug
        // build); the key is pressed once a second of it has been heard.
        #expect(waitFor(seconds: 10) { run.traces().contains("\"id\":\"greeting\"") },
                "no greeting in the trace:\n\(run.traces())\nserver log:\n\(run.log())\nbaresip:\n\(phone.log())")
        #expect(waitFor(seconds: 25) { Self.framesAbove(dBFS: -45, phone.recordedAudio() ?? []) >= 50 },
                "baresip heard no greeting:\n\(phone.log())\nserver log:\n\(run.log())")
        try phone.command("/sndcode 1")
        // Key 1 in the greeting menu is the balance intent (keys themselves are never logged).
        #expect(waitFor(seconds: 5) { run.traces().contains("\"name\":\"balance\"") },
                "no balance intent in the trace:\n\(run.traces())\nbaresip:\n\(phone.log())")
        try phone.command("/hangup")
        #expect(waitFor(seconds: 5) { run.log().contains("call ended: caller hung up") },
                "server did not see the BYE:\n\(run.log())\nbaresip:\n\(phone.log())")
        try phone.command("/quit")
        #expect(phone.wait(seconds: 5) == 0, "baresip did not quit cleanly:\n\(phone.log())")

        let trace = run.traces()
        #expect(trace.contains("\"type\":\"dtmf\""), "no key in the trace:\n\(trace)")
        #expect(phone.log().contains("Call established"), "baresip:\n\(phone.log())")

        // What baresip heard (decoded G.711, 8 kHz): speech, not silence, for over a second.
        let heard = try #require(phone.recordedAudio(), "no decoded-audio dump from sndfile:\n\(phone.log())")
        let loudFrames = Self.framesAbove(dBFS: -45, heard)
        #expect(loudFrames >= 50, "\(loudFrames) loud 20 ms frames in \(heard.count / 160) heard (≥ 50 expected)")
        #expect(run.stop() == 0, "server did not stop cleanly:\n\(run.log())")
    }

    /// 20 ms frames (8 kHz) whose energy is above `dBFS`.
    static func framesAbove(dBFS: Float, _ samples: [Int16]) -> Int {
        samples.withUnsafeBufferPointer { all in
            stride(from: 0, to: all.count - 159, by: 160).count { start in
                Decibels.fromPower(Decibels.meanSquare(UnsafeBufferPointer(rebasing: all[start..<start + 160]))) > dBFS
            }
        }
    }
}

/// Polls `condition` every 50 ms for up to `seconds`.
func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

/// One headless baresip in its own config folder: loopback only, PCMU/PCMA, a silent source
/// WAV, the decoded audio dumped to `heard/`, the UDP console on a free port.
final class Baresip {
    let directory: URL
    let process = Process()
    let consolePort: Int
    let logURL: URL
    private let console: UDPSocket

    init(directory: URL, modulePath: String) throws {
        self.directory = directory
        let heard = directory.appendingPathComponent("heard")
        try FileManager.default.createDirectory(at: heard, withIntermediateDirectories: true)
        consolePort = try freeUDPPort()
        console = try UDPSocket()
        logURL = directory.appendingPathComponent("baresip.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let source = directory.appendingPathComponent("silence.wav")
        try Data(Self.wav(samples: [Int16](repeating: 0, count: 8000 * 20))).write(to: source)
        let rtpBase = 40000 + 2 * Int.random(in: 0..<5000)
        let config = """
            poll_method\t\tepoll
            net_interface\t\t127.0.0.1
            sip_listen\t\t127.0.0.1:\(try freeUDPPort())
            sip_trans_def\t\tudp
            audio_player\t\taubridge,heard
            audio_alert\t\taubridge,alert
            audio_source\t\taufile,\(source.path)
            rtp_ports\t\t\(rtpBase)-\(rtpBase + 20)
            module_path\t\t\(modulePath)
            module\t\t\tg711.so
            module\t\t\taccount.so
            module\t\t\taufile.so
            module\t\t\taubridge.so
            module\t\t\tsndfile.so
            module\t\t\tcons.so
            module_app\t\tmenu.so
            cons_listen\t\t127.0.0.1:\(consolePort)
            snd_path\t\t\(heard.path)

            """
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try "<sip:caller@127.0.0.1>;regint=0\n".write(to: directory.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("contacts"), atomically: true, encoding: .utf8)
    }

    /// Starts baresip dialling `uri` (it quits by itself after 60 s whatever happens).
    func start(dialing uri: String) throws {
        process.executableURL = URL(fileURLWithPath: BaresipEndToEndTests.baresipPath ?? "/usr/bin/baresip")
        process.currentDirectoryURL = directory
        process.arguments = ["-f", directory.path, "-t", "60", "-e", "/dial \(uri)"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: logURL)
        process.standardError = process.standardOutput
        try process.run()
        guard waitFor(seconds: 10, { log().contains("baresip is ready") }) else {
            throw TestFailure("baresip did not start:\n\(log())")
        }
    }

    /// One console command (e.g. `/sndcode 1`, `/hangup`, `/quit`).
    func command(_ line: String) throws { try console.send(line + "\n", toPort: consolePort) }

    func log() -> String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Waits for baresip to exit; its status (-9 if it had to be killed).
    func wait(seconds: Double) -> Int32 { VoiceGateServerTests.wait(process, seconds: seconds) }

    /// SIGTERM, then SIGKILL after 3 s, if it is still running.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        _ = wait(seconds: 3)
    }

    /// The samples of sndfile's decoded-audio dump (`dump-…-dec.wav`, 16-bit mono), also while
    /// baresip is still writing it (its data size is only filled in at the end).
    func recordedAudio() -> [Int16]? {
        let folder = directory.appendingPathComponent("heard")
        guard let name = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.first(where: { $0.hasSuffix("-dec.wav") }),
              let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { return nil }
        return Self.samples(wav: [UInt8](data))
    }

    /// A 16-bit mono 8 kHz WAV file's bytes.
    static func wav(samples: [Int16]) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let data = samples.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        return Array("RIFF".utf8) + le32(36 + data.count) + Array("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(1)
            + le32(8000) + le32(16000) + le16(2) + le16(16) + Array("data".utf8) + le32(data.count) + data
    }

    /// The 16-bit samples of a WAV file's `data` chunk (walking the chunks; nil if none).
    static func samples(wav bytes: [UInt8]) -> [Int16]? {
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8) else { return nil }
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            if bytes[offset..<offset + 4].elementsEqual("data".utf8) {
                let end = size == 0 || offset + 8 + size > bytes.count ? bytes.count : offset + 8 + size
                return stride(from: offset + 8, to: end - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
