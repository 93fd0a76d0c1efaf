import ArgumentParser
import Foundation
import Glibc
import VoiceGateCodecs
import VoiceGateDSP

/// `voicegate bench rtp-load`: N concurrent calls against a running `voicegate serve`, with
/// RTP both ways. One SIP and one RTP socket carry every call (each call's SDP offers the same
/// RTP port; the server's per-call source port tells the streams apart), so one thread can
/// drive a thousand calls. It measures the server's outbound pacing from kernel receive
/// timestamps, lost and late frames, the server's CPU (/proc) and, with `--probe`, the time
/// from the end of a key or of speech to the first sound of the answer.
struct RTPLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtp-load",
        abstract: "Concurrent G.711 calls with RTP both ways against a running voicegate serve (see BENCHMARKS.md).")

    enum ProbeKind: String, ExpressibleByArgument { case none, key, speech }

    @Option(help: "The server's SIP address (UDP, IPv4).")
    var server = "127.0.0.1:5060"

    @Option(help: "Calls to hold at once.")
    var calls = 100

    @Option(help: "New calls per second while setting up.")
    var rate = 200.0

    @Option(help: "Seconds of media measured once every call is up.")
    var seconds = 20.0

    @Option(help: "The server's process id, for its CPU time (/proc/PID/stat).")
    var serverPid: Int32?

    @Option(help: "Latency probe per call: none, key (RFC 4733 '1' after the greeting) or speech (--speech-wav after the greeting).")
    var probe = ProbeKind.none

    @Option(help: "Speech to send for --probe speech (WAV, any supported rate; resampled to 8 kHz).")
    var speechWav: String?

    @Option(help: "Silence after the greeting before the probe is sent, ms.")
    var quietMs = 1500

    func validate() throws {
        guard calls > 0, rate > 0, seconds > 0 else { throw ValidationError("--calls, --rate and --seconds must be positive") }
        if probe == .speech, speechWav == nil { throw ValidationError("--probe speech needs --speech-wav") }
    }

    func run() throws {
        let parts = server.split(separator: ":")
        guard parts.count == 2, let serverPort = Int(parts[1]) else { throw ValidationError("--server HOST:PORT") }
        var speech: [UInt8] = []
        if let speechWav {
            let clip = try WAVFile.read(path: speechWav).resampled(to: 8000)
            speech = clip.samples.map { G711.ulawEncode($0) }
        }
        var generator = try LoadGenerator(host: String(parts[0]), sipPort: serverPort, calls: calls, rate: rate,
                                          seconds: seconds, serverPid: serverPid, probe: probe, speech: speech,
                                          quietNs: Int64(quietMs) * 1_000_000)
        let report = try generator.run()
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// The single-threaded engine behind `rtp-load`: a 20 ms tick sends every call's frame, then
/// the sockets are drained until the next tick.
struct LoadGenerator {
    let sip: LoadSocket
    let rtp: LoadSocket
    let serverHost: String
    let serverSIP: sockaddr_in
    let serverText: String
    let rate: Double
    let seconds: Double
    let serverPid: Int32?
    let probe: RTPLoadCommand.ProbeKind
    let speech: [UInt8]
    let quietNs: Int64
    var calls: [LoadCall]
    var byCallID: [String: Int] = [:]
    /// Server RTP port → call index (+1; 0 = none).
    var byServerPort = [Int32](repeating: 0, count: 65536)

    // Measurements.
    var windowStartNs: Int64 = .max
    var windowEndNs: Int64 = .max
    var deviationHistogram = [Int](repeating: 0, count: 10_001)  // 0.1 ms buckets up to 1 s
    var gaps = 0
    var lateGaps = 0
    var lostPackets = 0
    var windowPackets = 0
    var tickLatenessMs: [Double] = []
    var sendFailures = 0
    var serverHangups = 0
    var refersDeclined = 0
    var failures: [String: Int] = [:]

    init(host: String, sipPort: Int, calls: Int, rate: Double, seconds: Double, serverPid: Int32?,
         probe: RTPLoadCommand.ProbeKind, speech: [UInt8], quietNs: Int64) throws {
        sip = try LoadSocket(host: "127.0.0.1")
        rtp = try LoadSocket(host: "127.0.0.1", bufferBytes: 32 << 20)
        serverHost = host
        serverSIP = LoadSocket.address(host: host, port: sipPort)
        serverText = "\(host):\(sipPort)"
        self.rate = rate
        self.seconds = seconds
        self.serverPid = serverPid
        self.probe = probe
        self.speech = speech
        self.quietNs = quietNs
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        self.calls = (0..<calls).map { LoadCall(index: $0, runTag: tag) }
        for call in self.calls { byCallID[call.callID] = call.index }
    }

    mutating func run() throws -> [String: Any] {
        let tickNs: Int64 = 20_000_000
        let start = LoadClock.realtimeNs()
        var nextTick = start
        var invited = 0
        var setupDoneNs: Int64 = 0
        var cpuAtWindowStart: (server: Double, own: Double, ns: Int64)?
        var cpuAtWindowEnd: (server: Double, own: Double, ns: Int64)?
        var byeSentNs: Int64 = 0
        let setupDeadline = start + Int64((Double(calls.count) / rate + 15) * 1e9)
        var frame = [UInt8](repeating: 0xFF, count: 12 + 160)

        while true {
            let now = LoadClock.realtimeNs()
            tickLatenessMs.append(Double(now - nextTick) / 1e6)
            nextTick += tickNs
            if nextTick < now { nextTick = now + tickNs }  // fell behind: do not burst

            // New calls at `rate`, retransmissions, give-ups.
            let due = min(calls.count, Int(Double(now - start) / 1e9 * rate) + 1)
            while invited < due {
                sendInvite(invited, now: now)
                invited += 1
            }
            for i in 0..<invited where calls[i].state == .inviting {
                if now - calls[i].firstInviteNs > 8_000_000_000 {
                    fail(i, "no final response in 8 s")
                } else if calls[i].answeredNs == 0, now - calls[i].lastInviteNs > 1_000_000_000 {
                    sendInvite(i, now: now)
                }
            }

            // Phases: setup → (1 s settle) → measured window → BYE → drain.
            let pending = invited < calls.count || calls.contains { $0.state == .inviting }
            if setupDoneNs == 0, !pending || now > setupDeadline {
                setupDoneNs = now
                windowStartNs = now + 1_000_000_000
                windowEndNs = windowStartNs + Int64(seconds * 1e9)
            }
            if cpuAtWindowStart == nil, now >= windowStartNs { cpuAtWindowStart = cpuNow() }
            let probesRunning = probe != .none && calls.contains { $0.state == .established && $0.probe != .done }
            if cpuAtWindowEnd == nil, now >= windowEndNs, !probesRunning || now > windowEndNs + 30_000_000_000 {
                cpuAtWindowEnd = cpuNow()
                byeSentNs = now
                for i in calls.indices where calls[i].state == .established { sendBye(i) }
            }
            if byeSentNs > 0 {
                let open = calls.contains { $0.state == .ending }
                if !open || now - byeSentNs > 5_000_000_000 { break }
            }

            // One frame per established call.
            for i in calls.indices where calls[i].state == .established || calls[i].state == .ending {
                sendFrame(i, now: now, into: &frame)
            }

            // Drain until the next tick.
            while true {
                while sip.receive({ bytes, _, _ in handleSIP(String(decoding: bytes, as: UTF8.self)) }) {}
                while rtp.receive({ bytes, port, arrival in handleRTP(bytes, sourcePort: port, arrivalNs: arrival) }) {}
                let wait = nextTick - LoadClock.realtimeNs()
                if wait <= 0 { break }
                var fds = [pollfd(fd: sip.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: rtp.fd, events: Int16(POLLIN), revents: 0)]
                _ = poll(&fds, 2, Int32(max(1, wait / 1_000_000)))
            }
        }
        return report(setupMs: Double(setupDoneNs - start) / 1e6, cpuStart: cpuAtWindowStart, cpuEnd: cpuAtWindowEnd)
    }

    func cpuNow() -> (server: Double, own: Double, ns: Int64) {
        (serverPid.flatMap { LoadClock.cpuSeconds(pid: $0) } ?? .nan, LoadClock.ownCPUSeconds(), LoadClock.realtimeNs())
    }

    mutating func fail(_ i: Int, _ why: String) {
        calls[i].state = .failed
        failures[why, default: 0] += 1
    }

    mutating func sendInvite(_ i: Int, now: Int64) {
        if calls[i].invitesSent == 0 { calls[i].firstInviteNs = now }
        calls[i].invitesSent += 1
        calls[i].lastInviteNs = now
        sendSIP(calls[i].request("INVITE", cseq: 1, server: serverText, sipPort: sip.port, body: LoadCall.offer(rtpPort: rtp.port)))
    }

    mutating func sendBye(_ i: Int) {
        calls[i].state = .ending
        calls[i].cseq += 1
        sendSIP(calls[i].request("BYE", cseq: calls[i].cseq, server: serverText, sipPort: sip.port))
    }

    mutating func sendSIP(_ text: String) {
        var text = text
        let ok = text.withUTF8 { sip.send($0, to: serverSIP) }
        if !ok { sendFailures += 1 }
    }

    mutating func handleSIP(_ text: String) {
        let message = SIPTextFields(text)
        if let method = message.method {
            // Requests from the server: BYE (the menu hung up), REFER (a transfer: declined, so
            // the server ends the call), anything else 200.
            if let i = byCallID[message.callID] {
                if method == "BYE", calls[i].state == .established { calls[i].state = .ended; serverHangups += 1 }
            }
            if method == "REFER" { refersDeclined += 1 }
            sendSIP(method == "REFER" ? message.response(603, "Decline") : message.response(200, "OK"))
            return
        }
        guard let status = message.status, let i = byCallID[message.callID] else { return }
        switch (message.cseqMethod, status) {
        case ("INVITE", 200...299):
            if calls[i].answeredNs == 0 { calls[i].answeredNs = LoadClock.realtimeNs() }
            calls[i].toTag = message.toTag
            sendSIP(calls[i].request("ACK", cseq: 1, server: serverText, sipPort: sip.port))
            guard calls[i].state == .inviting else { return }  // a retransmitted 200: ACK again only
            guard let port = message.audioPort else { fail(i, "200 without m=audio"); return }
            calls[i].serverRTPPort = port
            calls[i].serverRTP = LoadSocket.address(host: serverHost, port: port)
            byServerPort[port] = Int32(i + 1)
            calls[i].state = .established
            if probe != .none { calls[i].probe = .awaitingGreeting }
        case ("INVITE", 300...):
            if calls[i].state == .inviting {
                var ack = calls[i]
                ack.toTag = message.toTag
                sendSIP(ack.request("ACK", cseq: 1, server: serverText, sipPort: sip.port))
                fail(i, "INVITE answered \(status)")
            }
        case ("BYE", 200...):
            if calls[i].state == .ending { calls[i].state = .ended }
        default:
            break
        }
    }

    /// RTP from the server: pacing, loss, and the probe's view of sound and silence.
    mutating func handleRTP(_ bytes: UnsafeBufferPointer<UInt8>, sourcePort: Int, arrivalNs: Int64) {
        let slot = Int(byServerPort[sourcePort])
        guard slot > 0, bytes.count >= 12 else { return }
        let i = slot - 1
        let sequence = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        if arrivalNs >= windowStartNs, arrivalNs < windowEndNs {
            windowPackets += 1
            if calls[i].hasLast, calls[i].lastArrivalNs >= windowStartNs {
                let delta = arrivalNs - calls[i].lastArrivalNs
                let deviation = abs(delta - 20_000_000)
                deviationHistogram[min(deviationHistogram.count - 1, Int(deviation / 100_000))] += 1
                gaps += 1
                if delta > 40_000_000 { lateGaps += 1 }
                let step = Int(sequence &- calls[i].lastSequence)
                if step > 1, step < 1000 { lostPackets += step - 1 }
            }
        }
        calls[i].lastArrivalNs = arrivalNs
        calls[i].lastSequence = sequence
        calls[i].hasLast = true

        guard calls[i].probe != .off, calls[i].probe != .done, bytes[1] & 0x7F == 0 else { return }
        var loud = false
        for k in 12..<bytes.count where abs(Int(G711.ulawDecode(bytes[k]))) > 300 { loud = true; break }
        guard loud else { return }
        switch calls[i].probe {
        case .awaitingGreeting, .greeting:
            calls[i].probe = .greeting
            calls[i].lastSoundNs = arrivalNs
        case .sending, .awaitingAnswer:
            // The first loud packet after the key or speech began: the answer. A key may be acted
            // on at its first event packet, so the answer can start before the key's end.
            if arrivalNs > calls[i].probeStartNs, calls[i].answerNs == 0 { calls[i].answerNs = arrivalNs }
            if calls[i].probeEndNs > 0, calls[i].answerNs > 0 {
                calls[i].latencyMs = Double(calls[i].answerNs - calls[i].probeEndNs) / 1e6
                calls[i].latencyFromStartMs = Double(calls[i].answerNs - calls[i].probeStartNs) / 1e6
                calls[i].probe = .done
            }
        default:
            break
        }
    }

    /// This tick's frame for call `i`: PCMU silence, a speech frame, or a key event.
    mutating func sendFrame(_ i: Int, now: Int64, into frame: inout [UInt8]) {
        if calls[i].probe == .greeting, now - calls[i].lastSoundNs > quietNs {
            calls[i].probe = .sending(frame: 0)
            calls[i].probeStartNs = now
            calls[i].eventTimestamp = calls[i].timestamp
        }
        var payloadType: UInt8 = 0
        var marker = false
        var length = 12 + 160
        var timestamp = calls[i].timestamp
        for k in 12..<frame.count { frame[k] = 0xFF }
        if case .sending(let n) = calls[i].probe {
            switch probe {
            case .key:
                // RFC 4733 '1': 100 ms of tone (5 updates), then the end packet three times.
                payloadType = 101
                marker = n == 0
                timestamp = calls[i].eventTimestamp
                let ended = n >= 5
                let duration = UInt16(min(n + 1, 5) * 160)
                frame[12] = 1
                frame[13] = (ended ? 0x80 : 0) | 10
                frame[14] = UInt8(duration >> 8)
                frame[15] = UInt8(duration & 0xFF)
                length = 16
                if n == 5 { calls[i].probeEndNs = now }
                calls[i].probe = n >= 7 ? .awaitingAnswer : .sending(frame: n + 1)
            case .speech:
                let start = n * 160
                for k in 0..<160 where start + k < speech.count { frame[12 + k] = speech[start + k] }
                if start + 160 >= speech.count {
                    calls[i].probeEndNs = now + 20_000_000  // the last frame's audio ends a frame later
                    calls[i].probe = .awaitingAnswer
                } else {
                    calls[i].probe = .sending(frame: n + 1)
                }
            case .none:
                break
            }
        }
        frame[0] = 0x80
        frame[1] = payloadType | (marker ? 0x80 : 0)
        frame[2] = UInt8(calls[i].sequence >> 8)
        frame[3] = UInt8(calls[i].sequence & 0xFF)
        frame[4] = UInt8(timestamp >> 24)
        frame[5] = UInt8((timestamp >> 16) & 0xFF)
        frame[6] = UInt8((timestamp >> 8) & 0xFF)
        frame[7] = UInt8(timestamp & 0xFF)
        let ssrc = calls[i].ssrc
        frame[8] = UInt8(ssrc >> 24)
        frame[9] = UInt8((ssrc >> 16) & 0xFF)
        frame[10] = UInt8((ssrc >> 8) & 0xFF)
        frame[11] = UInt8(ssrc & 0xFF)
        calls[i].sequence &+= 1
        calls[i].timestamp &+= 160
        let ok = frame.withUnsafeBufferPointer { rtp.send(UnsafeBufferPointer(rebasing: $0[0..<length]), to: calls[i].serverRTP) }
        if !ok { sendFailures += 1 }
    }

    func percentile(_ p: Double) -> Double {
        let total = deviationHistogram.reduce(0, +)
        guard total > 0 else { return .nan }
        var seen = 0
        for (bucket, count) in deviationHistogram.enumerated() {
            seen += count
            if Double(seen) >= p * Double(total) { return Double(bucket) / 10 }
        }
        return Double(deviationHistogram.count - 1) / 10
    }

    func report(setupMs: Double, cpuStart: (server: Double, own: Double, ns: Int64)?, cpuEnd: (server: Double, own: Double, ns: Int64)?) -> [String: Any] {
        func quantile(_ values: [Double], _ p: Double) -> Double {
            guard !values.isEmpty else { return .nan }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
        }
        func round2(_ x: Double) -> Double { x.isFinite ? (x * 100).rounded() / 100 : -1 }
        let established = calls.filter { $0.answeredNs > 0 }
        let setupTimes = established.map { Double($0.answeredNs - $0.firstInviteNs) / 1e6 }
        let window = Double(windowEndNs - windowStartNs) / 1e9
        let expected = Double(calls.count - failures.values.reduce(0, +)) * window * 50
        var result: [String: Any] = [
            "calls": calls.count,
            "established": established.count,
            "failed": failures.values.reduce(0, +),
            "failures": failures,
            "setup_s": round2(setupMs / 1000),
            "invite_to_200_ms": ["p50": round2(quantile(setupTimes, 0.5)), "p99": round2(quantile(setupTimes, 0.99))],
            "window_s": round2(window),
            "rx_packets": windowPackets,
            "rx_expected": Int(expected),
            "rx_lost_by_sequence": lostPackets,
            "interarrival_deviation_ms": ["p50": percentile(0.5), "p99": percentile(0.99), "p999": percentile(0.999),
                                          "max": percentile(1.0)],
            "late_gaps_over_40ms": lateGaps,
            "late_fraction": round2(Double(lateGaps) / Double(max(1, gaps)) * 100) / 100,
            "client_tick_lateness_ms": ["p50": round2(quantile(tickLatenessMs, 0.5)), "p99": round2(quantile(tickLatenessMs, 0.99))],
            "send_failures": sendFailures,
            "server_hangups": serverHangups,
            "refers_declined": refersDeclined,
        ]
        if let cpuStart, let cpuEnd, cpuEnd.ns > cpuStart.ns {
            let elapsed = Double(cpuEnd.ns - cpuStart.ns) / 1e9
            let server = (cpuEnd.server - cpuStart.server) / elapsed * 100
            result["server_cpu_percent_of_one_core"] = round2(server)
            result["server_cpu_percent_per_call"] = round2(server / Double(max(1, established.count)))
            result["client_cpu_percent_of_one_core"] = round2((cpuEnd.own - cpuStart.own) / elapsed * 100)
        }
        if probe != .none {
            let latencies = calls.compactMap(\.latencyMs)
            result["probe"] = probe.rawValue
            let fromStart = calls.compactMap(\.latencyFromStartMs)
            result["probe_latency_from_start_ms"] = ["p50": round2(quantile(fromStart, 0.5)), "p95": round2(quantile(fromStart, 0.95))]
            result["probe_latency_ms"] = ["n": latencies.count, "p50": round2(quantile(latencies, 0.5)),
                                          "p95": round2(quantile(latencies, 0.95)), "min": round2(latencies.min() ?? .nan),
                                          "max": round2(latencies.max() ?? .nan)]
        }
        return result
    }
}
