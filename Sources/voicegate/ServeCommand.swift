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
/// same dialog engine as `voicegate simulate`. Settings come from the config file, flags win
/// over it (see `ServeCommand+Settings.swift`). Logs go to stderr; the first SIGINT/SIGTERM
/// drains (no new calls, active ones get `--drain-timeout`, then BYE), a second ends them at once.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the SIP/RTP gateway (UDP and TCP).",
        discussion: """
            Call it with a softphone or sipp, e.g. 'sipp -sn uac 127.0.0.1:5060 -m 1'. \
            Transfers are blind REFERs to --agent-uri carrying the context key (the Call-ID) \
            in User-to-User and X-VoiceGate-Context-Id; the full context is in the call's \
            trace file and --db. With refer-then-bridge (the default transfer mode) a failed \
            REFER makes VoiceGate call the agent itself and bridge the caller. Values not given as flags come from --config, then from built-in defaults; \
            the source allow-list (trunk.allowed_networks, default loopback only) is set in the \
            file. GET /health, /ready and /metrics (Prometheus) answer on --http-port. --caller-number and \
            --called-number are ignored (they come from the INVITE).
            """)

    @Option(help: "Server settings file (default Config/voicegate.yaml when it exists); flags override its values.")
    var config: String?

    @Option(help: "Address to bind SIP and RTP to (default 127.0.0.1; file: bind; admin HTTP: --http-bind).")
    var bind: String?

    @Option(help: "Address written in Contact and SDP (default: --bind; needed when --bind is 0.0.0.0).")
    var advertise: String?

    @Option(help: "SIP UDP port (0: any free port; default 5060; file: sip.port).")
    var sipPort: Int?

    @Option(help: "Admin HTTP port for GET /health, /ready and /metrics (0: any free port; default 8080; file: http.port).")
    var httpPort: Int?

    @Option(help: "Address of the admin HTTP side (console, API, /health; default 127.0.0.1; file: http.bind).")
    var httpBind: String?

    @Option(help: "POST each transfer's context here, signed (docs/admin.md; file: webhooks.transfer.url).")
    var transferWebhookUrl: String?

    @Option(help: "File holding the transfer webhook's HMAC secret (file: webhooks.transfer.secret).")
    var transferWebhookSecretFile: String?

    @Option(help: .hidden)
    var transferWebhookBackoffMs = 1000

    @Option(help: "Call records database (SQLite: calls, events, transfers; docs/records.md); empty for none.")
    var db = "var/voicegate.sqlite"

    @Option(help: "Days call events are kept in --db (hourly purge).")
    var keepEventsDays = RetentionPolicy().eventDays

    @Option(help: "Days call rows and transfer contexts are kept in --db (hourly purge).")
    var keepCallsDays = RetentionPolicy().callDays

    @Option(help: "Ring this long (180 Ringing) before answering, in milliseconds (default 0; file: timeouts.answer_delay_ms).")
    var answerDelayMs: Int?

    @Option(help: "RTP port range LOW-HIGH (even ports are used; default 20000-20999; file: rtp.port_range).")
    var rtpPorts: String?

    @Option(help: "Calls at once; beyond, INVITEs get 503 with Retry-After (default 200; file: limits.max_calls).")
    var maxCalls: Int?

    @Option(help: "New calls admitted per second; beyond, 503 with Retry-After; 0: no limit (default 50; file: limits.max_new_calls_per_second).")
    var maxCallsPerSecond: Double?

    @Option(help: "Seconds calls in progress may go on after the first SIGTERM before BYE (default 30; file: shutdown.drain_timeout_s).")
    var drainTimeout: Double?

    @Option(help: "Folder for per-call trace files (<call-id>.jsonl); empty for none.")
    var traceDir = "var/traces"

    @Option(help: "Seconds without RTP after which a call is ended with BYE (default 30; file: timeouts.session_idle_ms).")
    var mediaTimeout: Double?

    @Option(help: "SIP URI of the agent queue that transfers are REFERred to (default sip:agents@127.0.0.1; file: transfer.agent_uri).")
    var agentUri: String?

    @Option(help: "Seconds an accepted REFER may take to report its outcome by NOTIFY (default 30; file: timeouts.transfer_ms).")
    var transferTimeout: Double?

    @Option(help: "refer: a failed REFER ends the call; refer-then-bridge: VoiceGate then calls the agent itself and relays media (default refer-then-bridge; file: transfer.mode).")
    var transferMode: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    @Option(help: "Codecs answered, most preferred first: any of pcmu, pcma, opus, comma-separated.")
    var codecs = "pcmu,pcma,opus"

    @Option(help: "Seconds a SIP TCP connection may stay silent before it is closed.")
    var tcpIdleTimeout = 300.0

    @Option(help: "Mean RTCP report interval in milliseconds (RFC 3550: 5000), randomised 0.5-1.5x.")
    var rtcpIntervalMs = 5000

    @Option(help: "File the process id is written to, for 'voicegate reload' (SIGHUP); empty for none.")
    var pidFile = "var/voicegate.pid"

    @OptionGroup var files: MenuFileOptions

    @OptionGroup var callOptions: CallOptions

    @OptionGroup var keywords: KeywordOptions

    func validate() throws {
        try validateFlags()
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        guard keepEventsDays > 0, keepCallsDays >= keepEventsDays else {
            throw ValidationError("--keep-events-days must be positive and at most --keep-calls-days")
        }
        guard CallCodec.parseList(codecs) != nil else {
            throw ValidationError("--codecs: expected a comma-separated list of pcmu, pcma, opus without repeats, got '\(codecs)'")
        }
        guard tcpIdleTimeout > 0, tcpIdleTimeout.isFinite else { throw ValidationError("--tcp-idle-timeout must be positive") }
        guard rtcpIntervalMs >= 100 else { throw ValidationError("--rtcp-interval-ms must be at least 100") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "voicegate.serve")

        if FileManager.default.fileExists(atPath: configPath) {
            let report = ConfigCheck.run(config: (configPath, try readText(configPath)), menu: (files.menu, try readText(files.menu)),
                                         prompts: try files.promptFiles())
            guard report.ok else { throw ValidationError(report.problems.map(\.description).joined(separator: "\n")) }
        }
        let settings = try resolvedSettings()
        let menu = try files.loadMenu()
        let bank = try await callOptions.openBank()
        defer { try? bank.close() }
        let prompts = try callOptions.openPrompts(files.prompts)

        var services = CallServices(engine: DialogEngine(menu: menu), prompts: prompts, bank: bank.backend,
                                    logger: logger, traceDirectory: traceDir.isEmpty ? nil : traceDir,
                                    mediaTimeoutMs: Int64(settings.mediaTimeoutMs))
        services.recognizer = try keywords.recognizer(languages: menu.languages, menuFile: files.menu)
        let records = db.isEmpty ? nil : try await GatewayRecords(
            path: db, menuName: menu.name, menuYAML: try readText(files.menu),
            retention: RetentionPolicy(eventDays: keepEventsDays, callDays: keepCallsDays), logger: logger)
        services.records = records?.recorder
        services.menuVersion = records?.menuVersion
        let metrics = GatewayMetrics()
        metrics.bootstrapMetricsSystem()
        services.metrics = metrics
        // Published prompt and menu versions, the console's version pages, and reload (SIGHUP).
        let publisher = try await VersionPublisher(menuFile: files.menu, promptsFolder: files.prompts, renderer: prompts,
                                                   store: records?.store, logger: Logger(label: "voicegate.versions"))
        services.live = publisher.live
        let reloadSignal = LiveReload.onSIGHUP(publisher: publisher)
        defer { reloadSignal.cancel() }
        let writtenPIDFile = try LiveReload.writePIDFile(pidFile)
        defer { if let writtenPIDFile { LiveReload.removePIDFile(writtenPIDFile) } }
        var options = gatewayOptions(settings)
        options.codecs = CallCodec.parseList(codecs) ?? options.codecs
        options.tcpIdleTimeoutMs = Int64(tcpIdleTimeout * 1000)
        options.rtcpIntervalMs = Int64(rtcpIntervalMs)
        let serverOptions = options
        let (stop, stopSink) = AsyncStream<Void>.makeStream()
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopSink.yield() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let callServices = services
        let bindHost = advertise ?? settings.bind
        let readiness = ServiceReadiness()
        var adminRoutes = withAdminAccess(AdminHTTPServer(host: settings.httpBind, port: settings.httpPort, readiness: readiness,
                                                          logger: Logger(label: "voicegate.http")), settings: settings, records: records)
        adminRoutes.addMetrics(metrics)
        if let store = records?.store {
            adminRoutes.addRoutes { ConsoleRoutes(store: store).install(on: $0) }  // the console's read pages (docs/ops-console.md)
        }
        adminRoutes.addRoutes { VersionRoutes.install($0, publisher: publisher) }
        let admin = adminRoutes
        let webhook = try transferWebhook(settings, records: records, logger: logger)
        do {
            let (httpStop, httpStopSink) = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await admin.run(until: httpStop) { port in
                        let target = settings.httpBind.contains(":") ? "[\(settings.httpBind)]:\(port)" : "\(settings.httpBind):\(port)"
                        FileHandle.standardError.write(Data("voicegate serve: admin http on http://\(target) (GET /health, /ready, /metrics; console at /console)\n".utf8))
                    }
                }
                group.addTask {
                    try await GatewayServer(options: serverOptions, services: callServices).run(stop: stop, readiness: readiness) { port in
                        let target = bindHost.contains(":") ? "[\(bindHost)]:\(port)" : "\(bindHost):\(port)"
                        FileHandle.standardError.write(Data(
                            "voicegate serve: listening on udp and tcp \(target); call it with: sipp -sn uac \(target) -m 1\n".utf8))
                    }
                }
                // The SIP loop ends on the stop signals, then the HTTP side shuts down; the HTTP
                // side ends first only by failing (port in use), which throws here and cancels the SIP loop.
                try await group.next()
                httpStopSink.finish()
                try await group.waitForAll()
            }
            await stopWebhook(webhook)
            await records?.close()
            logger.notice("stopped")
        } catch {
            await stopWebhook(webhook)
            await records?.close()
            FileHandle.standardError.write(Data("voicegate: serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
