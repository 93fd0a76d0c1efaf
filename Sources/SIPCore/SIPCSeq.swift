/// The CSeq header (RFC 3261 §20.16): a sequence number below 2^31 and the request method.
public struct SIPCSeq: Sendable, Hashable, CustomStringConvertible {
    /// Largest sequence number RFC 3261 §8.1.1.5 allows (2^31 − 1).
    public static let maxSequence: UInt32 = 0x7FFF_FFFF

    /// The sequence number.
    public var sequence: UInt32
    /// The method the CSeq belongs to.
    public var method: SIPMethod

    /// Creates a CSeq; `sequence` must not exceed `maxSequence`.
    public init(sequence: UInt32, method: SIPMethod) {
        precondition(sequence <= SIPCSeq.maxSequence, "CSeq sequence must be below 2^31")
        self.sequence = sequence
        self.method = method
    }

    /// Parses `1*DIGIT LWS Method`; nil when the number is missing, too large (RFC 4475
    /// scalar02) or the method is not a token.
    public init?(_ text: String) {
        var s = ByteScanner(text)
        s.skipWhitespace()
        let digits = s.read(while: SIPSyntax.isDigit)
        guard let n = SIPSyntax.parseDecimal(digits, maximum: UInt64(SIPCSeq.maxSequence)) else { return nil }
        let before = s.index
        s.skipWhitespace()
        guard s.index > before, let m = s.readToken() else { return nil }
        s.skipWhitespace()
        guard s.isAtEnd else { return nil }
        self.sequence = UInt32(n)
        self.method = SIPMethod(m)
    }

    /// `sequence method`.
    public var description: String { "\(sequence) \(method)" }
}
