/// A SIP request method. Methods are case-sensitive tokens (RFC 3261 §7.1); any token is a
/// valid method for the parser, and the UAS decides whether it implements it.
public struct SIPMethod: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The method token as written.
    public let rawValue: String

    /// Wraps a method token (not validated: the parser checks token syntax).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a method token.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The method token.
    public var description: String { rawValue }

    /// RFC 3261 methods.
    public static let invite = SIPMethod("INVITE")
    /// Acknowledges a final response to INVITE; never answered.
    public static let ack = SIPMethod("ACK")
    /// Ends a dialog.
    public static let bye = SIPMethod("BYE")
    /// Cancels a pending INVITE.
    public static let cancel = SIPMethod("CANCEL")
    /// Capability query.
    public static let options = SIPMethod("OPTIONS")
    /// Registrar binding.
    public static let register = SIPMethod("REGISTER")
    /// RFC 3262 reliable provisional acknowledgement.
    public static let prack = SIPMethod("PRACK")
    /// RFC 6086 mid-dialog information (SIP INFO DTMF).
    public static let info = SIPMethod("INFO")
    /// RFC 3515 transfer.
    public static let refer = SIPMethod("REFER")
    /// RFC 6665 event subscription.
    public static let subscribe = SIPMethod("SUBSCRIBE")
    /// RFC 6665 event notification.
    public static let notify = SIPMethod("NOTIFY")
    /// RFC 3311 session update.
    public static let update = SIPMethod("UPDATE")
    /// RFC 3428 instant message.
    public static let message = SIPMethod("MESSAGE")
    /// RFC 3903 event state publication.
    public static let publish = SIPMethod("PUBLISH")

    /// Every method defined by a standards-track RFC: the set that separates 405 (known, not
    /// allowed here) from 501 (unknown) in RFC 3261 §8.2.1.
    public static let standard: Set<SIPMethod> = [
        .invite, .ack, .bye, .cancel, .options, .register, .prack, .info, .refer, .subscribe,
        .notify, .update, .message, .publish,
    ]
}
