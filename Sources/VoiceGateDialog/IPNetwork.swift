/// An IPv4 or IPv6 address as its network-order bytes (4 or 16). It lives next to the server
/// configuration reader because `trunk.allowed_networks` must be checked (with file:line) by
/// `voicegate check-config` as well as matched by the gateway; parsing is plain text work, no IO.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), most significant first.
    public let bytes: [UInt8]

    /// An address from raw bytes; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes the IPv4 address,
    /// so a dual-stack socket's peers match IPv4 networks. Nil unless 4 or 16 bytes.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = bytes
        case 16:
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                self.bytes = Array(bytes[12...])
            } else {
                self.bytes = bytes
            }
        default: return nil
        }
    }

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`, `::ffff:192.0.2.1`).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let parsed = Self.parseV6(Substring(text)) else { return nil }
            self.init(bytes: parsed)
        } else {
            guard let parsed = Self.parseV4(Substring(text)) else { return nil }
            self.init(bytes: parsed)
        }
    }

    /// Whether this is an IPv4 address.
    public var isV4: Bool { bytes.count == 4 }

    /// Dotted IPv4, or IPv6 as eight hex groups (not compressed; for logs).
    public var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = UInt8(part) else { return nil }
            out.append(value)
        }
        return out
    }

    static func parseV6(_ text: Substring) -> [UInt8]? {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring, allowV4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt8] = []
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowV4Tail, piece.contains(".") {
                    guard let v4 = parseV4(piece) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let value = UInt16(piece, radix: 16) else {
                    return nil
                }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(text, allowV4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowV4Tail: false),
              let tail = groups(halves[1], allowV4Tail: true), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// A block of addresses in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, or a bare address
/// meaning a single host): what `trunk.allowed_networks` lists.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network address (host bits cleared).
    public let address: IPAddress
    /// Leading bits that must match (0...32 for IPv4, 0...128 for IPv6).
    public let prefixLength: Int

    /// Parses `ADDRESS/PREFIX` or a bare `ADDRESS` (a /32 or /128). Host bits set below the
    /// prefix (`10.1.2.3/8`) are refused: such a typo usually means a different network.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy(\.isASCIIDigit), let value = Int(parts[1]),
                  value <= bits else { return nil }
            prefix = value
        }
        // An IPv4-mapped IPv6 network would silently become IPv4: only accept it as a bare host.
        if String(parts[0]).contains(":") && address.isV4 && parts.count == 2 { return nil }
        guard Self.masked(address.bytes, prefix) == address.bytes else { return nil }
        self.address = address
        self.prefixLength = prefix
    }

    /// Whether `candidate` is inside this network (an IPv4 address never matches an IPv6 network).
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        return Self.masked(candidate.bytes, prefixLength) == address.bytes
    }

    /// `address/prefix`.
    public var description: String { "\(address)/\(prefixLength)" }

    /// `bytes` with every bit after the first `prefix` cleared.
    static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        var out = bytes
        for index in out.indices {
            let keep = max(0, min(8, prefix - index * 8))
            out[index] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        return out
    }
}

extension Character {
    /// `0`...`9` only (Character.isNumber also accepts other scripts' digits).
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
