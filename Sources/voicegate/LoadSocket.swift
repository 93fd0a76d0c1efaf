import Glibc

/// A non-blocking IPv4 UDP socket for the load generator: bound to a free port, large buffers,
/// and kernel receive timestamps (SO_TIMESTAMPNS), so arrival times measure the sender's pacing
/// rather than how promptly this process got to read them.
final class LoadSocket {
    let fd: Int32
    let port: Int
    private var buffer = [UInt8](repeating: 0, count: 2048)
    private var control = [UInt8](repeating: 0, count: 128)

    init(host: String, bufferBytes: Int32 = 8 << 20) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw LoadError("socket: errno \(errno)") }
        var size = bufferBytes
        // SO_RCVBUFFORCE/SO_SNDBUFFORCE (33/32) pass net.core.*mem_max as root; else the capped form.
        if setsockopt(fd, SOL_SOCKET, 33, &size, 4) != 0 { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, 4) }
        if setsockopt(fd, SOL_SOCKET, 32, &size, 4) != 0 { setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, 4) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, 35 /* SO_TIMESTAMPNS */, &on, 4)
        var address = Self.address(host: host, port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); throw LoadError("bind \(host): errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    static func address(host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// Sends one datagram; false if the kernel refused it (full buffer ...).
    @discardableResult
    func send(_ bytes: UnsafeBufferPointer<UInt8>, to address: sockaddr_in) -> Bool {
        var address = address
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return sent == bytes.count
    }

    /// One pending datagram with its source port and kernel arrival time (ns, CLOCK_REALTIME),
    /// handed to `body`; false when nothing is pending.
    func receive(_ body: (UnsafeBufferPointer<UInt8>, _ sourcePort: Int, _ arrivalNs: Int64) -> Void) -> Bool {
        var source = sockaddr_in()
        let n: Int = buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { control in
                withUnsafeMutablePointer(to: &source) { sourcePointer in
                    var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(sourcePointer)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = control.baseAddress
                        message.msg_controllen = control.count
                        return recvmsg(fd, &message, 0)
                    }
                }
            }
        }
        guard n > 0 else { return false }
        // cmsghdr on 64-bit Linux: len (8), level (4), type (4), then the timespec.
        var arrival = LoadClock.realtimeNs()
        control.withUnsafeBytes { raw in
            let level = raw.load(fromByteOffset: 8, as: Int32.self)
            let type = raw.load(fromByteOffset: 12, as: Int32.self)
            if level == SOL_SOCKET && type == 35 {
                arrival = raw.load(fromByteOffset: 16, as: Int64.self) * 1_000_000_000 + raw.load(fromByteOffset: 24, as: Int64.self)
            }
        }
        buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<n]), Int(UInt16(bigEndian: source.sin_port)), arrival) }
        return true
    }
}

/// Wall-clock and CPU readings for the load generator.
enum LoadClock {
    /// CLOCK_REALTIME in ns (the clock of SO_TIMESTAMPNS).
    static func realtimeNs() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    /// utime + stime of a process in seconds (/proc/PID/stat fields 14 and 15), nil if unreadable.
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Fields after the parenthesised command name (which may contain spaces).
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// This process's own CPU seconds (user + system).
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// A load-generator failure, said in one line.
struct LoadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
