import Logging
import NIOCore
import SIPCore

/// The server loop's open TCP connections, by flow, and how a message reaches a TCP flow:
/// on its connection while it is open; a request (our BYE, REFER) whose connection closed goes
/// on a new connection to its Request-URI (the caller's Contact, RFC 3261 §18.1.1); a response
/// whose connection closed is dropped (the caller's transaction gives up).
struct SIPConnectionTable {
    private var writers: [SIPFlow: NIOAsyncChannelOutboundWriter<ByteBuffer>] = [:]

    /// Open connections (an outbound replacement counts under both its flows).
    var count: Int { writers.count }

    /// Records a connection event from `SIPStreamTransport`.
    mutating func note(_ event: SIPStreamEvent) {
        switch event {
        case let .opened(flow, writer): writers[flow] = writer
        case .closed(let flow): writers[flow] = nil
        case .message: break
        }
    }

    /// Sends `bytes` (the serialised `message`) to `flow`, opening a connection when needed;
    /// connection events of a new connection go to `report`.
    mutating func send(_ bytes: ByteBuffer, message: SIPMessage, to flow: SIPFlow, idleTimeoutMs: Int64,
                       parser: SIPParser, logger: Logger, report: @escaping @Sendable (SIPStreamEvent) -> Void) async {
        if let writer = writers[flow] {
            do {
                try await writer.write(bytes)
                return
            } catch {
                writers[flow] = nil
            }
        }
        guard let target = message.requestLine?.uri else {
            logger.info("response to \(flow) dropped: its connection is closed")
            return
        }
        let host = target.host.hasPrefix("[") ? String(target.host.dropFirst().dropLast()) : target.host
        let port = target.port ?? 5060
        Task {
            do {
                let connection = try await SIPStreamTransport.connect(host: host, port: port, idleTimeoutMs: idleTimeoutMs)
                await SIPStreamTransport.serve(connection, alias: flow, parser: parser, logger: logger, report: report,
                                               first: bytes)
            } catch {
                logger.warning("cannot open TCP to \(host):\(port) for \(message.method?.rawValue ?? "a request"): \(error)")
            }
        }
    }
}
