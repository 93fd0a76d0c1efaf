import Yams

/// Checks `Config/voicegate.yaml` (server settings): parseable YAML, only known keys,
/// values of the right kind. The server reads the values; this only guards the shape so a
/// typo is reported as `file:line:column` instead of being silently ignored.
public enum ServerConfigCheck {
    /// The kind of value a key holds.
    indirect enum Shape: Sendable {
        case string, bool, port, milliseconds
        case map([String: Shape])
    }

    /// The known keys.
    static let schema: [String: Shape] = [
        "bind": .string,
        "sip": .map(["port": .port, "transports": .string]),
        "http": .map(["port": .port]),
        "db_path": .string,
        "menu": .string,
        "prompts": .string,
        "backend": .map(["kind": .string, "url": .string, "timeout_ms": .milliseconds]),
        "timeouts": .map(["answer_delay_ms": .milliseconds, "transfer_ms": .milliseconds,
                          "refer_notify_ms": .milliseconds, "session_idle_ms": .milliseconds]),
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
        db_path: var/voicegate.sqlite
        menu: Config/menu.yaml
        prompts: Prompts
        timeouts:
          answer_delay_ms: 0       # >0: send 180 Ringing and answer after this delay
          transfer_ms: 30000       # agent leg must answer within this time
          refer_notify_ms: 5000    # REFER outcome (NOTIFY) wait before falling back to a bridge
          session_idle_ms: 60000   # no RTP for this long ends the call

        """

    /// Every problem of the configuration text; empty when it is good.
    public static func problems(yaml: String, file: String) -> [ConfigProblem] {
        var reading = YAMLReading(file: file)
        guard let root = reading.compose(yaml) else { return reading.problems }
        check(root, shape: .map(schema), path: "", reading: &reading)
        return reading.problems
    }

    static func check(_ node: Node, shape: Shape, path: String, reading: inout YAMLReading) {
        let what = path.isEmpty ? "the configuration" : "'\(path)'"
        switch shape {
        case .string: _ = reading.string(node, what)
        case .bool: _ = reading.bool(node, what)
        case .milliseconds: _ = reading.nonNegativeInt(node, what)
        case .port:
            if let port = reading.nonNegativeInt(node, what), !(1...65535).contains(port) {
                reading.report(node, "\(what) must be a port number 1-65535 (got \(port))")
            }
        case .map(let keys):
            guard let pairs = reading.mapping(node, what) else { return }
            for pair in pairs {
                let child = path.isEmpty ? pair.key : "\(path).\(pair.key)"
                guard let childShape = keys[pair.key] else {
                    reading.report(pair.keyNode, "unknown key '\(child)' (known: \(keys.keys.sorted().joined(separator: ", ")))")
                    continue
                }
                check(pair.value, shape: childShape, path: child, reading: &reading)
            }
        }
    }
}
