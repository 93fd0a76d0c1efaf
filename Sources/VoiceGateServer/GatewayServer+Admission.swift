import NIOCore
import SIPCore
import VoiceGateDialog

extension SocketAddress {
    /// The peer's IP address (IPv4-mapped IPv6 as IPv4), nil for Unix sockets.
    var sourceIP: IPAddress? {
        switch self {
        case .v4(let v4): return withUnsafeBytes(of: v4.address.sin_addr) { IPAddress(bytes: Array($0)) }
        case .v6(let v6): return withUnsafeBytes(of: v6.address.sin6_addr) { IPAddress(bytes: Array($0)) }
        default: return nil
        }
    }
}

extension AdmissionControl {
    /// The stateless response for a refused request: 403 or 503 (with Retry-After and a To-tag,
    /// so the caller's ACK matches it; the ACK then finds no call and is ignored).
    static func response(refusing request: SIPMessage, status: Int, retryAfterSeconds: Int?, toTag: String) -> SIPMessage {
        var headers = SIPHeaders()
        if let retryAfterSeconds { headers.add(name: "Retry-After", value: "\(retryAfterSeconds)") }
        return SIPResponseBuilder.response(to: request, status: status, toTag: request.method == .invite ? toTag : nil,
                                           extraHeaders: headers)
    }
}

/// Logs refusals of one source once (then at debug), so a scanner cannot flood the log.
struct RefusalLog {
    private var seen: Set<String> = []

    /// Whether this is the first refusal logged for `source` (remembers up to 1024 sources).
    mutating func isFirst(_ source: String) -> Bool {
        guard !seen.contains(source) else { return false }
        if seen.count >= 1024 { seen.removeAll() }
        seen.insert(source)
        return true
    }
}
