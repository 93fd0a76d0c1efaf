import Yams

/// What the gateway does with SIP from a source outside `trunk.allowed_networks`.
public enum DisallowedSourceAction: String, Sendable, CaseIterable {
    /// Answer requests with 403 Forbidden (helps when setting a trunk up; tells a scanner a
    /// SIP server is there).
    case reject
    /// Send nothing at all (the default: the port looks closed to scanners).
    case drop
}

/// How a transfer to the agent queue is done (`transfer.mode`).
public enum TransferMode: String, Sendable, Hashable, CaseIterable {
    /// Blind REFER only: if the caller's phone refuses or fails the REFER, the call ends with
    /// BYE (`transfer_failed`).
    case refer
    /// Blind REFER first; if it fails, VoiceGate calls the agent URI itself (UAC INVITE with
    /// the same context headers) and relays media between the two legs. The default: a caller
    /// must never be dropped because their phone cannot do REFER (many trunks and softphones
    /// refuse it).
    case referThenBridge = "refer-then-bridge"
}

/// The values of `Config/voicegate.yaml` that `voicegate serve` uses, with the built-in
/// defaults for keys the file leaves out. Command-line flags override these (the CLI does that).
public struct ServerSettings: Sendable, Equatable {
    /// `bind`: address SIP and RTP listen on.
    public var bind = "127.0.0.1"
    /// `sip.port` (0: any free port).
    public var sipPort = 5060
    /// `http.port`: admin HTTP (/health, /ready); 0: any free port.
    public var httpPort = 8080
    /// `http.bind`: address the admin HTTP side listens on (loopback unless configured).
    public var httpBind = "127.0.0.1"
    /// `http.secure_cookie`: mark the console's session cookie `Secure` (when it is served over
    /// HTTPS, e.g. behind a TLS proxy; browsers then never send it over plain HTTP).
    public var httpSecureCookie = false
    /// `webhooks.transfer.url`: where each transfer's context is POSTed (nil: no webhook).
    public var transferWebhookURL: String?
    /// `webhooks.transfer.secret`: the webhook's HMAC-SHA256 key.
    public var transferWebhookSecret: String?
    /// `db_path`: the call records database.
    public var dbPath = "var/voicegate.sqlite"
    /// `timeouts.answer_delay_ms`: ring this long before answering.
    public var answerDelayMs = 0
    /// `timeouts.transfer_ms`: how long an accepted REFER may take to report the agent answered.
    public var transferTimeoutMs = 30_000
    /// `timeouts.session_idle_ms`: no RTP for this long ends the call.
    public var mediaTimeoutMs = 30_000
    /// `limits.max_calls`: calls at once; beyond, 503 with Retry-After.
    public var maxCalls = 200
    /// `limits.max_new_calls_per_second`: new INVITEs admitted per second (a token bucket holding
    /// one second's worth, so short bursts pass); beyond, 503 with Retry-After. 0: no limit.
    public var maxNewCallsPerSecond = 50.0
    /// `trunk.allowed_networks`: sources that may send SIP at all.
    public var allowedNetworks: [IPNetwork] = ServerSettings.loopbackNetworks
    /// `trunk.on_disallowed`: what other sources get.
    public var onDisallowed = DisallowedSourceAction.drop
    /// `shutdown.drain_timeout_s`: after SIGTERM, how long active calls may go on before BYE.
    public var drainTimeoutSeconds = 30.0
    /// `transfer.agent_uri`: where transfers go.
    public var agentURI = "sip:agents@127.0.0.1"
    /// `transfer.mode`.
    public var transferMode = TransferMode.referThenBridge
    /// `rtp.port_range`: RTP ports (even ones are used).
    public var rtpPorts: ClosedRange<Int> = 20000...20999

    /// Loopback only (`127.0.0.0/8`, `::1/128`): the default allow-list, so a gateway that is
    /// not told its trunk's addresses accepts nobody from the network.
    public static let loopbackNetworks: [IPNetwork] = [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!]

    /// The built-in defaults.
    public init() {}

    /// Reads a configuration text: the defaults overridden by every key the file sets, or every
    /// problem as `file:line:column` (unknown keys, bad values, YAML syntax).
    public static func read(yaml: String, file: String) -> Result<ServerSettings, ConfigProblems> {
        let (values, problems) = ServerConfigCheck.read(yaml: yaml, file: file)
        guard problems.isEmpty else { return .failure(ConfigProblems(problems)) }
        func text(_ key: String) -> String? { values[key]?.scalar?.string }
        func int(_ key: String) -> Int? { text(key).flatMap { Int($0) } }
        func number(_ key: String) -> Double? { text(key).flatMap { Double($0) } }

        var settings = ServerSettings()
        if let v = text("bind") { settings.bind = v }
        if let v = int("sip.port") { settings.sipPort = v }
        if let v = int("http.port") { settings.httpPort = v }
        if let v = text("http.bind") { settings.httpBind = v }
        if let v = text("http.secure_cookie") { settings.httpSecureCookie = ["true", "yes", "on"].contains(v.lowercased()) }
        if let v = text("webhooks.transfer.url") { settings.transferWebhookURL = v }
        if let v = text("webhooks.transfer.secret") { settings.transferWebhookSecret = v }
        if let v = text("db_path") { settings.dbPath = v }
        if let v = int("timeouts.answer_delay_ms") { settings.answerDelayMs = v }
        if let v = int("timeouts.transfer_ms") { settings.transferTimeoutMs = v }
        if let v = int("timeouts.session_idle_ms") { settings.mediaTimeoutMs = v }
        if let v = int("limits.max_calls") { settings.maxCalls = v }
        if let v = number("limits.max_new_calls_per_second") { settings.maxNewCallsPerSecond = v }
        if let node = values["trunk.allowed_networks"] {
            let items = node.sequence.map { Array($0) } ?? [node]
            settings.allowedNetworks = items.compactMap { $0.scalar.flatMap { IPNetwork($0.string) } }
        }
        if let v = text("trunk.on_disallowed").flatMap(DisallowedSourceAction.init(rawValue:)) { settings.onDisallowed = v }
        if let v = number("shutdown.drain_timeout_s") { settings.drainTimeoutSeconds = v }
        if let v = text("transfer.agent_uri") { settings.agentURI = v }
        if let v = text("transfer.mode").flatMap(TransferMode.init(rawValue:)) { settings.transferMode = v }
        if let v = text("rtp.port_range").flatMap(ServerConfigCheck.parsePortRange) { settings.rtpPorts = v }
        return .success(settings)
    }
}
