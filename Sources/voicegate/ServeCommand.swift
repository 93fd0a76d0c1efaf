import ArgumentParser
import Dispatch
import Foundation
import Glibc
import Logging
import VoiceGateDialog
import VoiceGateServer
import VoiceGateStore

/// `voicegate serve`: the SIP gateway (DESIGN.md section 5). Answers calls on UDP, plays the
/// menu over RTP (PCMU/PCMA), takes keys in-band, by RFC 4733 and by SIP INFO, and runs the
/// same dialog engine as `voicegate simulate`. Logs go to stderr; SIGINT/SIGTERM end active
/// calls with BYE and stop.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the SIP/RTP gateway (UDP).",
        discussion: """
            Call it with a softphone or sipp, e.g. 'sipp -sn uac 127.0.0.1:5060 -m 1'. \
            Transfers are blind REFERs to --agent-uri carrying the context key (the Call-ID) \
            in User-to-User and X-VoiceGate-Context-Id; the full context is in the call's \
            trace file. With --transfer-mode refer-then-bridge (the default) a failed REFER \
            makes VoiceGate call --agent-uri itself and bridge the caller. --caller-number and \
            --called-number are ignored (they come from the INVITE).
            """)

    @Option(help: "Server settings file; validated at start (its values are not read yet: flags and defaults apply).")
    var config = "Config/voicegate.yaml"

    @Option(help: "Address to bind SIP and RTP to.")
    var bind = "127.0.0.1"

    @Option(help: "Address written in Contact and SDP (default: --bind; needed when --bind is 0.0.0.0).")
    var advertise: String?

    @Option(help: "SIP UDP port (0: any free port).")
    var sipPort = 5060

    @Option(help: "Admin HTTP port: accepted and ignored for now (the HTTP API is not built yet).")
    var httpPort = 8080

    @Option(help: "Call records database (SQLite: calls, events, transfers; docs/records.md); empty for none.")
    var db = "var/voicegate.sqlite"

    @Option(help: "Days call events are kept in --db (hourly purge).")
    var keepEventsDays = RetentionPolicy().eventDays

    @Option(help: "Days call rows and transfer contexts are kept in --db (hourly purge).")
    var keepCallsDays = RetentionPolicy().callDays

    @Option(help: "Ring this long (180 Ringing) before answering, in milliseconds.")
    var answerDelayMs = 0

    @Option(help: "RTP port range, e.g. 20000-20999 (even ports are used).")
    var rtpPorts = "20000-20999"

    @Option(help: "Calls at once; beyond, INVITEs get 503 with Retry-After.")
    var maxCalls = 200

    @Option(help: "Folder for per-call trace files (<call-id>.jsonl); empty for none.")
    var traceDir = "var/traces"

    @Option(help: "Seconds without RTP after which a call is ended with BYE.")
    var mediaTimeout = 30.0

    @Option(help: "SIP URI of the agent queue that transfers are REFERred to.")
    var agentUri = "sip:agents@127.0.0.1"

    @Option(help: "Seconds an accepted REFER may take to report its outcome by NOTIFY.")
    var transferTimeout = 30.0

    @Option(help: "refer: a failed REFER ends the call; refer-then-bridge: VoiceGate then calls --agent-uri itself and relays media (a caller is never dropped because their phone cannot REFER).")
    var transferMode = "refer-then-bridge"

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    @Option(help: "Codecs answered, most preferred first: any of pcmu, pcma, opus, comma-separated.")
    var codecs = "pcmu,pcma,opus"

    @Option(help: "Seconds a SIP TCP connection may stay silent before it is closed.")
    var tcpIdleTimeout = 300.0

    @Option(help: "Mean RTCP report interval in milliseconds (RFC 3550: 5000), randomised 0.5-1.5x.")
    var rtcpIntervalMs = 5000

    @OptionGroup var files: MenuFileOptions

    @OptionGroup var callOptions: CallOptions

    func validate() throws {
        if advertise == nil, bind == "0.0.0.0" || bind == "::" {
            throw ValidationError("--bind \(bind) needs --advertise ADDRESS (callers cannot send media to \(bind))")
        }
        guard (0...65535).contains(sipPort) else { throw ValidationError("--sip-port must be 0...65535") }
        guard answerDelayMs >= 0 else { throw ValidationError("--answer-delay-ms must not be negative") }
        guard keepEventsDays > 0, keepCallsDays >= keepEventsDays else {
            throw ValidationError("--keep-events-days must be positive and at most --keep-calls-days")
        }
        guard maxCalls > 0 else { throw ValidationError("--max-calls must be positive") }
        guard mediaTimeout > 0, mediaTimeout.isFinite else { throw ValidationError("--media-timeout must be positive") }
        guard transferTimeout > 0, transferTimeout.isFinite else { throw ValidationError("--transfer-timeout must be positive") }
        guard GatewayServer.Options.isUsableAgentQueueURI(agentUri) else { throw ValidationError("--agent-uri: not a sip: or sips: URI: '\(agentUri)'") }
        _ = try parsedRTPPorts()
        guard TransferMode(rawValue: transferMode) != nil else {
            throw ValidationError("--transfer-mode: expected refer or refer-then-bridge, got '\(transferMode)'")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        guard CallCodec.parseList(codecs) != nil else {
            throw ValidationError("--codecs: expected a comma-separated list of pcmu, pcma, opus without repeats, got '\(codecs)'")
        }
        guard tcpIdleTimeout > 0, tcpIdleTimeout.isFinite else { throw ValidationError("--tcp-idle-timeout must be positive") }
        guard rtcpIntervalMs >= 100 else { throw ValidationError("--rtcp-interval-ms must be at least 100") }
    }

    /// `--rtp-ports` as a range of at least two ports inside 1024...65535.
    func parsedRTPPorts() throws -> ClosedRange<Int> {
        let parts = rtpPorts.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], 1024 <= low, low < high, high <= 65535 else {
            throw ValidationError("--rtp-ports: expected LOW-HIGH within 1024-65535, got '\(rtpPorts)'")
        }
        return low...high
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "voicegate.serve")

        if FileManager.default.fileExists(atPath: config) {
            let report = ConfigCheck.run(config: (config, try readText(config)), menu: (files.menu, try readText(files.menu)),
                                         prompts: try files.promptFiles())
            guard report.ok else { throw ValidationError(report.problems.map(\.description).joined(separator: "\n")) }
        }
        let menu = try files.loadMenu()
        let bank = try await callOptions.openBank()
        defer { try? bank.close() }
        let prompts = try callOptions.openPrompts(files.prompts)

        var services = CallServices(engine: DialogEngine(menu: menu), prompts: prompts, bank: bank.backend,
                                    logger: logger, traceDirectory: traceDir.isEmpty ? nil : traceDir,
                                    mediaTimeoutMs: Int64(mediaTimeout * 1000))
        let records = db.isEmpty ? nil : try await GatewayRecords(
            path: db, menuName: menu.name, menuYAML: try readText(files.menu),
            retention: RetentionPolicy(eventDays: keepEventsDays, callDays: keepCallsDays), logger: logger)
        services.records = records?.recorder
        services.menuVersion = records?.menuVersion
        var options = GatewayServer.Options(bindHost: bind, sipPort: sipPort, rtpPorts: try parsedRTPPorts(),
                                            maxCalls: maxCalls, answerDelayMs: Int64(answerDelayMs),
                                            advertisedHost: advertise, agentQueueURI: agentUri,
                                            transferTimeoutMs: Int64(transferTimeout * 1000))
        options.codecs = CallCodec.parseList(codecs) ?? options.codecs
        options.tcpIdleTimeoutMs = Int64(tcpIdleTimeout * 1000)
        options.rtcpIntervalMs = Int64(rtcpIntervalMs)
        options.transferMode = TransferMode(rawValue: transferMode) ?? .referThenBridge
        let (stop, stopSink) = AsyncStream<Void>.makeStream()
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopSink.yield() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let bindHost = advertise ?? bind
        do {
            try await GatewayServer(options: options, services: services).run(stop: stop) { port in
                let target = bindHost.contains(":") ? "[\(bindHost)]:\(port)" : "\(bindHost):\(port)"
                FileHandle.standardError.write(Data(
                    "voicegate serve: listening on udp and tcp \(target); call it with: sipp -sn uac \(target) -m 1\n".utf8))
            }
        } catch {
            await records?.close()
            FileHandle.standardError.write(Data("voicegate: serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
        await records?.close()
    }
}
