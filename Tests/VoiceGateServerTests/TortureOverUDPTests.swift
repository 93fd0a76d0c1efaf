import Foundation
import Glibc
import Testing

/// RFC 4475's 49 torture messages, byte for byte, sent over UDP to a running `voicegate serve`
/// (each from a fresh socket, so late retransmissions cannot be mistaken for the next answer).
/// The reaction must be one the RFC allows for a UAS that is not a registrar or proxy, and the
/// server must still answer OPTIONS afterwards without its memory running away.
///
/// The messages are read from `Tests/SIPCoreTests/Fixtures/torture` in the source tree (as
/// `ServerRun` reads `Config/` and `Prompts/` from it), so they exist once in the repository.
@Suite(.serialized) struct TortureOverUDPTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SIPCoreTests/Fixtures/torture")

    /// A 400 whose Warning blames the SDP body: the SIP message was processed, its offer was not
    /// usable (several torture INVITEs carry `a=rtpmap:31 LPC`, which RFC 4566 does not allow).
    static let sdpRejected = -400

    /// The final statuses allowed per message; empty: no answer at all (responses, undeliverable
    /// garbage). A processed OPTIONS gets 200; a processed INVITE gets 200, or 488 / a 400 for its
    /// SDP when its offer is unusable; an INVITE with a To-tag for no known dialog gets 481 (RFC
    /// 3261 12.2.2). REGISTER and MESSAGE (no registrar here) get 405, unknown methods 501.
    static let allowed: [String: Set<Int>] = [
        // 3.1.1 valid
        "wsinv": [481], "intmeth": [501], "esc01": [200, 488, sdpRejected], "escnull": [405], "esc02": [501],
        "lwsdisp": [200], "longreq": [200, 488, sdpRejected], "dblreq": [405], "semiuri": [200], "transports": [200],
        "mpart01": [405], "unreason": [], "noreason": [],
        // 3.1.2 invalid ("either": 400 or processed liberally)
        "badinv01": [400], "clerr": [400], "ncl": [400], "scalar02": [400], "scalarlg": [],
        "quotbal": [400, 200, 488], "ltgtruri": [400, 200, 488], "lwsruri": [400, 200, 488],
        "lwsstart": [400, 200, 488], "trws": [400, 200], "escruri": [400, 200, 488], "baddate": [400, 200, 488],
        "regbadct": [400, 405], "badaspec": [400, 200], "baddn": [400, 200], "badvers": [505],
        "mismatch01": [400], "mismatch02": [501, 400], "bigcode": [],
        // 3.2 transaction layer, 3.3 application layer, 3.4 backward compatibility
        "badbranch": [200, 400], "insuf": [400], "unkscm": [416], "novelsc": [416, 404], "unksm2": [400, 405],
        "bext01": [420], "invut": [415], "regaut01": [405], "multi01": [400], "mcl01": [400],
        "bcast": [], "zeromf": [200], "cparam01": [405], "cparam02": [405], "regescrt": [405],
        "sdp01": [406, 400, 488], "inv2543": [200, 488, sdpRejected],
    ]

    /// The rows of expected.tsv: (file name, RFC reaction text).
    static func rows() throws -> [(file: String, reaction: String)] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("expected.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            return columns.count >= 7 ? (String(columns[0]), String(columns[6])) : nil
        }
    }

    @Test func everyTortureMessageGetsAnAllowedReactionAndTheServerStaysUp() throws {
        let rows = try Self.rows()
        #expect(rows.count == 49)
        let run = try ServerRun(extraArguments: ["--media-timeout", "2"])
        defer { run.stop() }
        let rssBefore = try #require(Self.residentKiB(pid: run.process.processIdentifier))

        var wrong: [String] = []
        for row in rows {
            let name = String(row.file.dropLast(4))
            let expected = try #require(Self.allowed[name], "\(name) has no expected reaction")
            let bytes = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent(row.file)))
            let socket = try UDPSocket()
            try socket.send(bytes, toPort: run.sipPort)
            // Wait for a final response (skipping 1xx); messages that must be dropped get 300 ms.
            let deadline = Date().addingTimeInterval(expected.isEmpty ? 0.3 : 2)
            var final: Int?
            var seen: [String] = []
            while final == nil, Date() < deadline {
                guard let datagram = socket.receive(timeoutMs: 50) else { continue }
                let text = String(decoding: datagram, as: UTF8.self)
                seen.append(String(text.prefix(while: { $0 != "\r" })))
                if text.hasPrefix("SIP/2.0 "), let status = Int(text.dropFirst(8).prefix(3)), status >= 200 {
                    final = status == 400 && text.contains("Warning: 399") && text.contains("SDP") ? Self.sdpRejected : status
                }
            }
            let ok = final.map { expected.contains($0) || ($0 == Self.sdpRejected && expected.contains(400)) } ?? expected.isEmpty
            if !ok {
                wrong.append("\(name): got \(final.map { $0 == Self.sdpRejected ? "400 (SDP)" : String($0) } ?? "no answer") \(seen), allowed \(expected.sorted()) (RFC: \(row.reaction))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong reactions:\n\(wrong.joined(separator: "\n"))\nserver log:\n\(run.log().suffix(3000))")

        // Still alive: a plain OPTIONS is answered 200.
        let probe = try UDPSocket()
        let options = "OPTIONS sip:ivr@127.0.0.1:\(run.sipPort) SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:\(probe.port);branch=z9hG4bKalive1\r\nMax-Forwards: 70\r\n"
            + "From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:ivr@127.0.0.1>\r\nCall-ID: alive-probe\r\n"
            + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        try probe.send(options, toPort: run.sipPort)
        let answer = probe.receive(timeoutMs: 2000).map { String(decoding: $0, as: UTF8.self) }
        #expect(answer?.hasPrefix("SIP/2.0 200") == true, "no 200 to OPTIONS after the torture run: \(answer ?? "nothing")\n\(run.log().suffix(2000))")
        #expect(run.process.isRunning)

        let rssAfter = try #require(Self.residentKiB(pid: run.process.processIdentifier))
        #expect(rssAfter - rssBefore < 64 * 1024, "resident memory grew from \(rssBefore) KiB to \(rssAfter) KiB")
        #expect(run.stop() == 0, "server did not stop cleanly:\n\(run.log().suffix(2000))")
    }

    /// VmRSS of a process, KiB (Linux /proc).
    static func residentKiB(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
