import NIOCore
import NIOPosix

/// One call's UDP socket (RTP, or RTCP on the port above) with no async machinery per packet.
///
/// `NIOAsyncChannel` costs two task hops per datagram in (its inbound sequence, then a reader
/// task forwarding to the call's event stream) and an awaited write per datagram out; at
/// 1,000 calls × 50 packets/s each way that overhead dwarfed the audio processing. Here the
/// channel's handler passes each datagram straight to the call's state on the event loop
/// (`CallMediaLoop`), and `send` hands a datagram to the event loop without waiting for it.
struct MediaSocket: Sendable {
    /// The bound channel.
    let channel: any Channel

    /// Binds `host:port` on `eventLoop`; every datagram that arrives is passed to `deliver` (on
    /// that event loop).
    static func bind(host: String, port: Int, on eventLoop: any EventLoop,
                     deliver: @escaping @Sendable (AddressedEnvelope<ByteBuffer>) -> Void) async throws -> MediaSocket {
        let channel = try await DatagramBootstrap(group: eventLoop)
            // One datagram per readiness: a call's socket holds one packet per 20 ms, and NIO's
            // default (4) costs a second recvmsg that finds nothing (EAGAIN) on every packet. The
            // selector is level-triggered, so a socket with more waiting is reported again.
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramDelivery(deliver: deliver))
                }
            }
            .bind(host: host, port: port)
            .get()
        return MediaSocket(channel: channel)
    }

    /// Sends `data` to `target` (fire and forget: a lost UDP datagram is no different from one
    /// lost on the network, and the caller's RTCP reports tell us about those).
    func send(_ data: ByteBuffer, to target: SocketAddress) {
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: data), promise: nil)
    }

    /// Closes the socket.
    func close() async {
        try? await channel.close()
    }
}

/// Passes datagrams to a closure; ignores socket errors (an ICMP "port unreachable" after a
/// send must not end the call's stream: the media timeout decides when a caller is gone).
private final class DatagramDelivery: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let deliver: @Sendable (AddressedEnvelope<ByteBuffer>) -> Void

    init(deliver: @escaping @Sendable (AddressedEnvelope<ByteBuffer>) -> Void) {
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deliver(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
