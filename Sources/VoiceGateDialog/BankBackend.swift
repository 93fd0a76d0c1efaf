/// What the dialog engine asks of the bank. Requests carry only what the bank needs;
/// a PIN travels here and nowhere else (never in traces, logs or events).
public enum BackendRequest: Sendable, Equatable, Codable {
    /// The caller's profile by calling number (ANI): known customer, assisted flag.
    case customerProfile(callerNumber: String)
    /// Identification: last four digits of an account or card, and the PIN.
    case verifyIdentity(callerNumber: String, last4: String, pin: String)
    /// Current balance of the verified account.
    case balance(accountRef: String)
    /// Block the card ending in `last4` of the verified customer.
    case blockCard(accountRef: String, last4: String)
    /// The latest credit-card statement.
    case lastStatement(accountRef: String)
}

/// The bank's answer to a `BackendRequest`.
public enum BackendResult: Sendable, Equatable, Codable {
    /// Profile of the caller; `known == false` when the number is not on file.
    case profile(known: Bool, assisted: Bool)
    /// Identification outcome; `accountRef` is an opaque reference, never the account number.
    case identity(verified: Bool, accountRef: String?)
    /// A balance in minor units (cents / 分).
    case balance(minorUnits: Int64, currency: String)
    /// The card is blocked; `confirmation` is read back digit by digit.
    case cardBlocked(confirmation: String)
    /// The latest statement: amount due and due date.
    case statement(amountDueMinor: Int64, currency: String, dueYear: Int, dueMonth: Int, dueDay: Int)
    /// The backend failed (timeout, unreachable, error): the caller hears an apology and an agent offer.
    case failure(reason: String)
}

/// A bank backend: the embedded SQLite demo bank or an HTTP webhook. Implementations live
/// at the edge (`VoiceGateBank`); the engine only sees requests and results.
public protocol BankBackend: Sendable {
    /// Answers `request`; failures are returned as `.failure`, never thrown, so that the
    /// caller always hears something.
    func perform(_ request: BackendRequest) async -> BackendResult
}
