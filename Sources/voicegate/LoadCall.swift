import Glibc

/// One call of the RTP load generator: its SIP dialog (as the UAC), the RTP it sends, what it
/// measured of the RTP it received, and the state of its optional response-latency probe.
struct LoadCall {
    enum State { case inviting, established, ending, ended, failed }

    /// The latency probe: wait for the greeting, then for `quietNs` of silence after it, then
    /// send the key or the speech and time the first sound of the answer.
    enum Probe: Equatable {
        case off, awaitingGreeting, greeting, sending(frame: Int), awaitingAnswer, done
    }

    let index: Int
    let callID: String
    var state = State.inviting
    var toTag = ""
    var cseq = 1
    var invitesSent = 0
    var firstInviteNs: Int64 = 0
    var lastInviteNs: Int64 = 0
    var answeredNs: Int64 = 0
    var serverRTP = sockaddr_in()
    var serverRTPPort = 0

    // Outbound RTP.
    var sequence: UInt16
    var timestamp: UInt32
    let ssrc: UInt32

    // Inbound RTP, measured only inside the window.
    var lastArrivalNs: Int64 = 0
    var lastSequence: UInt16 = 0
    var hasLast = false

    // Probe.
    var probe = Probe.off
    var lastSoundNs: Int64 = 0
    var probeStartNs: Int64 = 0
    var probeEndNs: Int64 = 0
    var eventTimestamp: UInt32 = 0
    var answerNs: Int64 = 0
    /// First sound of the answer − end of the key (its first end packet) or of the speech.
    var latencyMs: Double?
    /// First sound of the answer − start of the key or of the speech.
    var latencyFromStartMs: Double?

    init(index: Int, runTag: String) {
        self.index = index
        callID = "load-\(runTag)-\(index)"
        sequence = UInt16(truncatingIfNeeded: index &* 7919)
        timestamp = UInt32(truncatingIfNeeded: index &* 104_729)
        ssrc = 0x5600_0000 | UInt32(index)
    }

    /// A request in this dialog (INVITE with `body` as SDP, ACK, BYE).
    func request(_ method: String, cseq: Int, server: String, sipPort: Int, body: String = "") -> String {
        "\(method) sip:ivr@\(server) SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:\(sipPort);branch=z9hG4bK\(callID)-\(method.lowercased())\(cseq)\r\n"
            + "From: <sip:+1555\(index)@127.0.0.1>;tag=f\(index)\r\nTo: <sip:ivr@\(server)>\(toTag)\r\n"
            + "Call-ID: \(callID)\r\nCSeq: \(cseq) \(method)\r\nContact: <sip:load@127.0.0.1:\(sipPort)>\r\n"
            + "Max-Forwards: 70\r\n" + (body.isEmpty ? "" : "Content-Type: application/sdp\r\n")
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// A PCMU + telephone-event offer for `rtpPort` (every call offers the generator's one port).
    static func offer(rtpPort: Int) -> String {
        "v=0\r\no=load 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio \(rtpPort) RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            + "a=fmtp:101 0-15\r\na=ptime:20\r\n"
    }
}

/// The few SIP fields the load generator reads, cut out of a message's text.
struct SIPTextFields {
    let status: Int?
    let method: String?
    let callID: String
    let cseqMethod: String
    let toTag: String
    let audioPort: Int?
    let text: String

    init(_ text: String) {
        self.text = text
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let first = lines.first.map(String.init) ?? ""
        if first.hasPrefix("SIP/2.0 ") {
            status = Int(first.dropFirst(8).prefix(3))
            method = nil
        } else {
            status = nil
            method = first.split(separator: " ").first.map(String.init)
        }
        func header(_ names: String...) -> String {
            for line in lines {
                let lower = line.lowercased()
                for name in names where lower.hasPrefix(name + ":") {
                    return line.dropFirst(name.count + 1).trimmedSpaces()
                }
            }
            return ""
        }
        callID = header("call-id", "i")
        cseqMethod = String(header("cseq").split(separator: " ").last ?? "")
        let to = header("to", "t")
        toTag = to.range(of: ";tag=").map { String(to[$0.lowerBound...]) } ?? ""
        audioPort = lines.first { $0.hasPrefix("m=audio ") }.flatMap { Int($0.split(separator: " ")[1]) }
    }

    /// A 200 (or `status`) to this request, echoing its Via, From, To, Call-ID and CSeq.
    func response(_ status: Int, _ reason: String) -> String {
        let keep = ["via:", "v:", "from:", "f:", "to:", "t:", "call-id:", "i:", "cseq:"]
        let echoed = text.split(separator: "\r\n").filter { line in keep.contains { line.lowercased().hasPrefix($0) } }
        return "SIP/2.0 \(status) \(reason)\r\n" + echoed.joined(separator: "\r\n") + "\r\nContent-Length: 0\r\n\r\n"
    }
}

private extension Substring {
    func trimmedSpaces() -> String {
        let set: Set<Character> = [" ", "\t"]
        return String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
