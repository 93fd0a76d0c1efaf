import Foundation
import Glibc

/// A loopback TCP client connection (blocking reads with a timeout), for the SIP-over-TCP tests.
final class TCPClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect to \(port) failed")
        }
    }

    /// Takes over an already connected descriptor (an accepted connection).
    init(adopting descriptor: Int32) {
        fd = descriptor
    }

    deinit { close(fd) }

    /// Closes the connection now (the server sees the caller's connection go away).
    func shutdownNow() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// The local port (what the server sees as our address).
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw TestFailure("send failed") }
    }

    /// Bytes read until `done` says the text is complete, the peer closes, or `seconds` pass.
    /// `closed` is true when the peer closed the connection.
    func read(seconds: Double, until done: (String) -> Bool) -> (text: String, closed: Bool) {
        var text = ""
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 8192)
        while Date() < deadline, !done(text) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (text, true) }
            text += String(decoding: buffer.prefix(n), as: UTF8.self)
        }
        return (text, false)
    }
}

extension UDPSocket {
    /// An RTP socket on an even port and its RTCP socket on the port above (the caller's RTCP
    /// port must be its RTP port + 1).
    static func rtpPair() throws -> (rtp: UDPSocket, rtcp: UDPSocket) {
        for _ in 0..<50 {
            let base = 40000 + 2 * Int.random(in: 0..<10000)
            if let rtp = try? UDPSocket(port: base), let rtcp = try? UDPSocket(port: base + 1) { return (rtp, rtcp) }
        }
        throw TestFailure("no free RTP/RTCP port pair")
    }
}

/// A loopback TCP listener on a free port: stands for a caller's Contact that the server
/// connects to when the caller's own connection has closed.
final class TCPListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw TestFailure("bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }

    /// The next incoming connection's descriptor, or nil after `timeoutMs`.
    func accept(timeoutMs: Int32) -> TCPClient? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMs) > 0 else { return nil }
        let client = Glibc.accept(fd, nil, nil)
        return client >= 0 ? TCPClient(adopting: client) : nil
    }
}

