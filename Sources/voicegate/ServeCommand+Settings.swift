import ArgumentParser
import Foundation
import VoiceGateDialog
import VoiceGateServer

/// Where `voicegate serve` gets each setting: a flag when given, else the config file's key,
/// else the built-in default (`ServerSettings()`).
extension ServeCommand {
    /// The config file: `--config`, or `Config/voicegate.yaml` (used only when it exists).
    var configPath: String { config ?? "Config/voicegate.yaml" }

    /// Range checks on the flags that were given (the file's values are checked by its reader).
    func validateFlags() throws {
        if let sipPort, !(0...65535).contains(sipPort) { throw ValidationError("--sip-port must be 0...65535") }
        if let httpPort, !(0...65535).contains(httpPort) { throw ValidationError("--http-port must be 0...65535") }
        if let answerDelayMs, answerDelayMs < 0 { throw ValidationError("--answer-delay-ms must not be negative") }
        if let maxCalls, maxCalls <= 0 { throw ValidationError("--max-calls must be positive") }
        if let maxCallsPerSecond, !(maxCallsPerSecond >= 0 && maxCallsPerSecond.isFinite) {
            throw ValidationError("--max-calls-per-second must be 0 (no limit) or positive")
        }
        if let drainTimeout, !(drainTimeout >= 0 && drainTimeout.isFinite) {
            throw ValidationError("--drain-timeout must not be negative")
        }
        if let mediaTimeout, !(mediaTimeout > 0 && mediaTimeout.isFinite) { throw ValidationError("--media-timeout must be positive") }
        if let transferTimeout, !(transferTimeout > 0 && transferTimeout.isFinite) {
            throw ValidationError("--transfer-timeout must be positive")
        }
        if let agentUri, !GatewayServer.Options.isUsableAgentQueueURI(agentUri) {
            throw ValidationError("--agent-uri: not a sip: or sips: URI: '\(agentUri)'")
        }
        if let transferMode, TransferMode(rawValue: transferMode) == nil {
            throw ValidationError("--transfer-mode: expected refer or refer-then-bridge, got '\(transferMode)'")
        }
        if let rtpPorts, ServerConfigCheck.parsePortRange(rtpPorts) == nil {
            throw ValidationError("--rtp-ports: expected LOW-HIGH within 1024-65535, got '\(rtpPorts)'")
        }
    }

    /// Defaults, then the file, then the flags.
    func resolvedSettings() throws -> ServerSettings {
        var settings = ServerSettings()
        if FileManager.default.fileExists(atPath: configPath) {
            switch ServerSettings.read(yaml: try readText(configPath), file: configPath) {
            case .success(let read): settings = read
            case .failure(let problems): throw ValidationError(problems.description)
            }
        } else if config != nil {
            throw ValidationError("--config: cannot read \(configPath)")
        }
        if let bind { settings.bind = bind }
        if let httpBind { settings.httpBind = httpBind }
        if let transferWebhookUrl { settings.transferWebhookURL = transferWebhookUrl }
        if let transferWebhookSecretFile {
            settings.transferWebhookSecret = try readText(transferWebhookSecretFile).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let url = settings.transferWebhookURL {
            guard ServerConfigCheck.isHTTPURL(url) else {
                throw ValidationError("transfer webhook URL: expected http:// or https://, got '\(url)'")
            }
            guard (settings.transferWebhookSecret?.count ?? 0) >= 16 else {
                throw ValidationError("the transfer webhook needs a secret of at least 16 characters (webhooks.transfer.secret or --transfer-webhook-secret-file)")
            }
        }
        if let sipPort { settings.sipPort = sipPort }
        if let httpPort { settings.httpPort = httpPort }
        if let answerDelayMs { settings.answerDelayMs = answerDelayMs }
        if let rtpPorts, let range = ServerConfigCheck.parsePortRange(rtpPorts) { settings.rtpPorts = range }
        if let maxCalls { settings.maxCalls = maxCalls }
        if let maxCallsPerSecond { settings.maxNewCallsPerSecond = maxCallsPerSecond }
        if let drainTimeout { settings.drainTimeoutSeconds = drainTimeout }
        if let mediaTimeout { settings.mediaTimeoutMs = Int((mediaTimeout * 1000).rounded()) }
        if let agentUri { settings.agentURI = agentUri }
        if let transferMode, let mode = TransferMode(rawValue: transferMode) { settings.transferMode = mode }
        if let transferTimeout { settings.transferTimeoutMs = Int((transferTimeout * 1000).rounded()) }

        if advertise == nil, settings.bind == "0.0.0.0" || settings.bind == "::" {
            throw ValidationError("bind \(settings.bind) needs --advertise ADDRESS (callers cannot send media to \(settings.bind))")
        }
        guard GatewayServer.Options.isUsableAgentQueueURI(settings.agentURI) else {
            throw ValidationError("\(configPath): transfer.agent_uri: not a sip: or sips: URI: '\(settings.agentURI)'")
        }
        return settings
    }

    /// The gateway's options from resolved settings.
    func gatewayOptions(_ settings: ServerSettings) -> GatewayServer.Options {
        var options = GatewayServer.Options(bindHost: settings.bind, sipPort: settings.sipPort, rtpPorts: settings.rtpPorts,
                                            maxCalls: settings.maxCalls, answerDelayMs: Int64(settings.answerDelayMs),
                                            advertisedHost: advertise, agentQueueURI: settings.agentURI,
                                            transferTimeoutMs: Int64(settings.transferTimeoutMs))
        options.allowedNetworks = settings.allowedNetworks
        options.onDisallowed = settings.onDisallowed
        options.maxNewCallsPerSecond = settings.maxNewCallsPerSecond
        options.drainTimeoutMs = Int64((settings.drainTimeoutSeconds * 1000).rounded())
        options.transferMode = settings.transferMode
        return options
    }
}
