import Logging
import NIOCore
import NIOPosix
import SIPCore

/// What the TCP side tells the server loop. The loop owns the table of connections (flow →
/// writer), so sending stays in the one task that owns the `CallController`.
enum SIPStreamEvent: Sendable {
    /// A connection is up: `flow` reaches it through `writer`.
    case opened(SIPFlow, NIOAsyncChannelOutboundWriter<ByteBuffer>)
    /// A whole SIP message arrived on the connection of `flow` (framed, parsed, not validated).
    case message(SIPMessage, SIPFlow)
    /// The connection of `flow` closed (peer, idle timeout, framing error).
    case closed(SIPFlow)
}

/// SIP over TCP (RFC 3261 §18): the listener on the SIP port, one task per connection that
/// frames messages with `SIPStreamFramer`, and outbound connections for our in-dialog requests
/// when the caller's connection is gone. NIO only moves bytes; framing and SIP happen here and
/// in the server loop.
enum SIPStreamTransport {
    /// A bound TCP listener whose children are byte-stream channels.
    typealias Listener = NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    /// One connection as raw bytes.
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Binds the TCP listener. Connections silent for `idleTimeoutMs` are closed.
    static func listen(host: String, port: Int, idleTimeoutMs: Int64) async throws -> Listener {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // TCP listeners need it to rebind over TIME_WAIT after a restart; it does not let
            // two servers listen on the same port (unlike UDP, where it is not set).
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try prepare(channel, idleTimeoutMs: idleTimeoutMs)
                }
            }
    }

    /// Opens a connection to `host:port` (our in-dialog request when the caller's connection closed).
    static func connect(host: String, port: Int, idleTimeoutMs: Int64) async throws -> Connection {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try prepare(channel, idleTimeoutMs: idleTimeoutMs)
                }
            }
    }

    private static func prepare(_ channel: any Channel, idleTimeoutMs: Int64) throws -> Connection {
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .milliseconds(idleTimeoutMs)))
        try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser())
        return try Connection(wrappingChannelSynchronously: channel)
    }

    /// Accepts connections until cancelled or the listener closes; each is served by `serve`.
    static func accept(on listener: Listener, parser: SIPParser, logger: Logger,
                       report: @escaping @Sendable (SIPStreamEvent) -> Void) async {
        do {
            try await listener.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask {
                            await serve(connection, alias: nil, parser: parser, logger: logger, report: report)
                        }
                    }
                }
            }
        } catch {
            logger.debug("TCP listener ended: \(error)")
        }
    }

    /// Reads one connection until it closes: frames messages, answers CRLF keep-alive pings,
    /// sends 400 for a malformed message it can address, and closes on a framing error (the
    /// stream cannot be resynchronised). `alias` is the flow an outbound connection replaces
    /// (the caller's closed one): the loop sends to it through this connection too.
    static func serve(_ connection: Connection, alias: SIPFlow?, parser: SIPParser, logger: Logger,
                      report: @escaping @Sendable (SIPStreamEvent) -> Void, first: ByteBuffer? = nil) async {
        guard let remote = connection.channel.remoteAddress else {
            try? await connection.executeThenClose { _, _ in }
            return
        }
        let flow = SIPFlow(transport: .tcp, remote: remote)
        do {
            try await connection.executeThenClose { inbound, outbound in
                report(.opened(flow, outbound))
                if let alias { report(.opened(alias, outbound)) }
                defer {
                    report(.closed(flow))
                    if let alias { report(.closed(alias)) }
                }
                if let first { try await outbound.write(first) }
                var framer = SIPStreamFramer(parser: parser)
                var pending = ByteBuffer()
                for try await chunk in inbound {
                    pending.writeImmutableBuffer(chunk)
                    frames: while true {
                        let result: SIPStreamFramer.Result
                        do throws(SIPParseError) {
                            result = try framer.next(&pending)
                        } catch {
                            if let response = error.errorResponse() {
                                var buffer = ByteBuffer()
                                SIPSerializer.write(response, into: &buffer)
                                try await outbound.write(buffer)
                            }
                            guard !error.isFramingError else {
                                logger.info("closing TCP connection from \(remote): \(error)")
                                return
                            }
                            logger.debug("malformed message on TCP from \(remote): \(error)")
                            continue
                        }
                        switch result {
                        case .needMoreData: break frames
                        case .keepAlive(let ping): if ping { try await outbound.write(ByteBuffer(string: "\r\n")) }
                        case .message(let message): report(.message(message, flow))
                        }
                    }
                    pending.discardReadBytes()
                }
            }
        } catch {
            logger.debug("TCP connection \(remote) ended: \(error)")
        }
    }
}

/// Closes a connection when `IdleStateHandler` reports no reads for its timeout: a caller's
/// connection that carries nothing must not hold a file descriptor forever.
private final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
