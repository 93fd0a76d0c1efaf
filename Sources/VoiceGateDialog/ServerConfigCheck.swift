import Yams

/// Checks `Config/voicegate.yaml` (server settings): parseable YAML, only known keys,
/// values of the right kind. The server reads the values; this only guards the shape so a
/// typo is reported as `file:line:column` instead of being silently ignored.
public enum ServerConfigCheck {
    /// The kind of value a key holds.
    indirect enum Shape: Sendable {
        case string, bool, port, milliseconds
        /// A port or 0 (any free port, reported at start).
        case portOrAny
        /// An integer ≥ 1.
        case positiveInt
        /// A number ≥ 0 (integer or decimal).
        case nonNegativeNumber
        /// A list of CIDR networks (`IPNetwork`), IPv4 or IPv6.
        case networks
        /// One of these words.
        case choice([String])
        /// `LOW-HIGH` ports, 1024 ≤ LOW < HIGH ≤ 65535.
        case portRange
        /// A `sip:` or `sips:` URI.
        case sipURI
        /// An `http://` or `https://` URL with a host.
        case httpURL
        /// A shared secret of at least 16 characters.
        case secret
        case map([String: Shape])
    }

    /// The known keys.
    static let schema: [String: Shape] = [
        "bind": .string,
        "sip": .map(["port": .portOrAny, "transports": .string]),
        "http": .map(["port": .portOrAny, "bind": .string, "secure_cookie": .bool]),
        "db_path": .string,
        "menu": .string,
        "prompts": .string,
        "backend": .map(["kind": .string, "url": .string, "timeout_ms": .milliseconds]),
        "timeouts": .map(["answer_delay_ms": .milliseconds, "transfer_ms": .milliseconds,
                          "refer_notify_ms": .milliseconds, "session_idle_ms": .milliseconds]),
        "limits": .map(["max_calls": .positiveInt, "max_new_calls_per_second": .nonNegativeNumber]),
        "trunk": .map(["allowed_networks": .networks,
                       "on_disallowed": .choice(DisallowedSourceAction.allCases.map(\.rawValue))]),
        "shutdown": .map(["drain_timeout_s": .nonNegativeNumber]),
        "transfer": .map(["agent_uri": .sipURI, "mode": .choice(TransferMode.allCases.map(\.rawValue))]),
        "rtp": .map(["port_range": .portRange]),
        "webhooks": .map(["transfer": .map(["url": .httpURL, "secret": .secret])]),
    ]

    /// A minimal configuration with the documented defaults, written by `check-config`
    /// when the file does not exist yet.
    public static let defaultYAML = """
        # VoiceGate server settings. Command-line flags of `voicegate serve` override these.
        bind: 127.0.0.1            # listen on loopback only unless told otherwise
        sip:
          port: 5060
        http:
          port: 8080               # admin API, metrics, context API
          bind: 127.0.0.1          # admin HTTP address (loopback unless told otherwise)
        db_path: var/voicegate.sqlite
        menu: Config/menu.yaml
        prompts: Prompts
        timeouts:
          answer_delay_ms: 0       # >0: send 180 Ringing and answer after this delay
          transfer_ms: 30000       # agent leg must answer within this time
          refer_notify_ms: 5000    # REFER outcome (NOTIFY) wait before falling back to a bridge
          session_idle_ms: 30000   # no RTP for this long ends the call
        limits:
          max_calls: 200                 # calls at once; beyond: 503 with Retry-After
          max_new_calls_per_second: 50   # new INVITEs per second (burst: one second's worth); 0: no limit
        trunk:
          # Only these source networks may send SIP (CIDR, IPv4 and IPv6): put your SIP trunk /
          # SBC here. Everything else is refused as on_disallowed says.
          allowed_networks: ["127.0.0.0/8", "::1/128"]
          on_disallowed: drop            # drop: no answer at all; reject: 403 Forbidden
        shutdown:
          drain_timeout_s: 30            # SIGTERM: no new calls, active ones get this long, then BYE
        transfer:
          agent_uri: sip:agents@127.0.0.1
          mode: refer-then-bridge        # refer | refer-then-bridge (a failed REFER: VoiceGate calls the agent and bridges)
        rtp:
          port_range: 20000-20999
        # webhooks:
        #   transfer:                    # POST each transfer's context, signed (docs/admin.md)
        #     url: https://crm.example/voicegate/transfer
        #     secret: change-me-to-a-long-random-string

        """

    /// Every problem of the configuration text; empty when it is good.
    public static func problems(yaml: String, file: String) -> [ConfigProblem] {
        read(yaml: yaml, file: file).problems
    }

    /// Checks the text and returns every set value's node by dotted key (`limits.max_calls`),
    /// for `ServerSettings` to read once there are no problems.
    static func read(yaml: String, file: String) -> (values: [String: Node], problems: [ConfigProblem]) {
        var reading = YAMLReading(file: file)
        guard let root = reading.compose(yaml) else { return ([:], reading.problems) }
        var values: [String: Node] = [:]
        check(root, shape: .map(schema), path: "", reading: &reading, values: &values)
        return (values, reading.problems)
    }

    static func check(_ node: Node, shape: Shape, path: String, reading: inout YAMLReading,
                      values: inout [String: Node]) {
        let what = path.isEmpty ? "the configuration" : "'\(path)'"
        if case .map = shape {} else { values[path] = node }
        switch shape {
        case .string: _ = reading.string(node, what)
        case .bool: _ = reading.bool(node, what)
        case .milliseconds: _ = reading.nonNegativeInt(node, what)
        case .port:
            if let port = reading.nonNegativeInt(node, what), !(1...65535).contains(port) {
                reading.report(node, "\(what) must be a port number 1-65535 (got \(port))")
            }
        case .portOrAny:
            if let port = reading.nonNegativeInt(node, what), port > 65535 {
                reading.report(node, "\(what) must be a port number 0-65535 (0: any free port; got \(port))")
            }
        case .positiveInt:
            if let value = reading.nonNegativeInt(node, what), value < 1 {
                reading.report(node, "\(what) must be at least 1")
            }
        case .nonNegativeNumber:
            guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
                reading.report(node, "\(what) must be a number")
                return
            }
            if value < 0 { reading.report(node, "\(what) must not be negative (got \(scalar.string))") }
        case .networks:
            guard let items = reading.strings(node, what) else { return }
            for (text, itemNode) in items where IPNetwork(text) == nil {
                reading.report(itemNode, "\(what): '\(text)' is not a network in CIDR notation (e.g. 10.0.0.0/8, 2001:db8::/32; host bits must be zero)")
            }
        case .choice(let words):
            if let text = reading.string(node, what), !words.contains(text) {
                reading.report(node, "\(what) must be one of \(words.joined(separator: ", ")) (got '\(text)')")
            }
        case .portRange:
            if let text = reading.string(node, what), parsePortRange(text) == nil {
                reading.report(node, "\(what) must be LOW-HIGH within 1024-65535 with LOW < HIGH (got '\(text)')")
            }
        case .sipURI:
            if let text = reading.string(node, what), !(text.lowercased().hasPrefix("sip:") || text.lowercased().hasPrefix("sips:")) || text.count < 5 {
                reading.report(node, "\(what) must be a sip: or sips: URI (got '\(text)')")
            }
        case .httpURL:
            if let text = reading.string(node, what), !isHTTPURL(text) {
                reading.report(node, "\(what) must be an http:// or https:// URL (got '\(text)')")
            }
        case .secret:
            if let text = reading.string(node, what), text.count < 16 {
                reading.report(node, "\(what) must have at least 16 characters")
            }
        case .map(let keys):
            guard let pairs = reading.mapping(node, what) else { return }
            for pair in pairs {
                let child = path.isEmpty ? pair.key : "\(path).\(pair.key)"
                guard let childShape = keys[pair.key] else {
                    reading.report(pair.keyNode, "unknown key '\(child)' (known: \(keys.keys.sorted().joined(separator: ", ")))")
                    continue
                }
                check(pair.value, shape: childShape, path: child, reading: &reading, values: &values)
            }
        }
    }

    /// Whether `text` is an `http://` or `https://` URL with a host (the webhook's receiver).
    public static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lower.hasPrefix($0) }) else { return false }
        let rest = lower.dropFirst(scheme.count)
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.hasPrefix(":") && !text.contains(where: { $0.isWhitespace })
    }

    /// `LOW-HIGH` as a range of at least two ports inside 1024...65535, or nil.
    public static func parsePortRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: " \t")) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], 1024 <= low, low < high, high <= 65535 else {
            return nil
        }
        return low...high
    }
}

extension Substring {
    /// Without leading and trailing characters of `set`.
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let first = s.first, set.contains(first) { s.removeFirst() }
        while let last = s.last, set.contains(last) { s.removeLast() }
        return s
    }
}
