import Foundation
import Logging
import NIOCore
import SIPCore
import VoiceGateDialog

extension GatewayServer {
    /// `configuration` with the transfer mode and the agent URI's address (resolved once, at
    /// start: the bridged fallback's INVITE and CANCEL go there). An agent URI that does not
    /// resolve leaves the bridge off (a failed REFER then ends the call, as in `refer` mode).
    func withBridge(_ configuration: CallController<SIPFlow>.Configuration,
                    logger: Logger) -> CallController<SIPFlow>.Configuration {
        var configuration = configuration
        configuration.transferMode = options.transferMode
        guard options.transferMode == .referThenBridge else { return configuration }
        guard let uri = SIPURI(options.agentQueueURI), uri.scheme == .sip else {
            logger.warning("--agent-uri \(options.agentQueueURI): only sip: URIs over UDP can be bridged; no bridge fallback")
            return configuration
        }
        do {
            configuration.agentPeer = SIPFlow(transport: .udp,
                                              remote: try SocketAddress.makeAddressResolvingHost(uri.host, port: uri.port ?? 5060))
        } catch {
            logger.warning("--agent-uri host \(uri.host) does not resolve (\(error)); no bridge fallback")
        }
        return configuration
    }
}

/// The media tasks of bridged transfers, owned by the server loop (like the calls' media).
struct BridgeMediaTasks {
    private var running: [String: AsyncStream<BridgeMediaEvent>.Continuation] = [:]
    /// The language each transferring call was in (for the sorry prompt).
    var languages: [String: Language] = [:]

    /// Whether `callID` is (or was until now) bridged.
    func isBridged(_ callID: String) -> Bool { running[callID] != nil }

    /// Performs one controller command.
    mutating func perform(_ command: BridgeCommand, bindHost: String, services: CallServices, agentURI: String,
                          report: @escaping @Sendable (MediaReport) -> Void) {
        switch command {
        case .open(let plan):
            var logger = services.logger
            logger[metadataKey: "call-id"] = "\(plan.callID)"
            logger.warning("transfer by REFER failed (\(plan.referFailure)): bridging instead, INVITE to \(agentURI) (agent leg \(plan.agentCallID))")
            TransferTrace.append(directory: services.traceDirectory, callID: plan.callID, mode: "refer",
                                 outcome: "failed", detail: plan.referFailure)
            let (events, sink) = AsyncStream<BridgeMediaEvent>.makeStream()
            running[plan.callID] = sink
            let media = BridgeMedia(plan: plan, bindHost: bindHost, services: services,
                                    language: languages[plan.callID] ?? .en)
            Task { await media.run(events: events, sink: sink, report: report) }
        case let .connect(callID, agent):
            running[callID]?.yield(.connect(agent))
        case let .fail(callID, reason):
            running[callID]?.yield(.fail(reason: reason))
        case .close(let callID):
            running.removeValue(forKey: callID)?.yield(.close)
            languages[callID] = nil
        }
    }
}

/// Lines of a call's trace file about its transfer's outcome (`"type":"transfer_outcome"`),
/// appended by the server (the dialog engine's `transfer` event, with the full context, is
/// already there). Mode `refer` or `bridge`; outcome `transferred` or `failed`.
enum TransferTrace {
    /// Appends one line to `<directory>/<call-id>.jsonl` (no-op without a directory).
    static func append(directory: String?, callID: String, mode: String, outcome: String, detail: String? = nil) {
        var fields: [String: String] = ["type": "transfer_outcome", "mode": mode, "outcome": outcome,
                                        "at": ISO8601DateFormatter().string(from: Date())]
        if let detail { fields["detail"] = detail }
        guard let json = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        TraceFile.appendLine(json, directory: directory, callID: callID)
    }
}
