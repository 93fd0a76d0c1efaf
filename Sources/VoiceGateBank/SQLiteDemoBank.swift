public import VoiceGateDialog
import Foundation
import GRDB

/// The embedded demo bank: customers, accounts, cards, hashed PINs and statements in a real
/// SQLite file (GRDB `DatabasePool`, WAL mode, so the gateway's readers never wait for a card
/// block being written). Schema and demo customers: docs/demo-bank.md.
///
/// Nothing here logs, and no failure reason carries a PIN, last-4 digits or account data:
/// reasons are fixed phrases ("unknown account", "no such card", "database error").
public struct SQLiteDemoBank: BankBackend {
    /// PBKDF2 iterations for newly stored PINs. High enough to make brute-forcing a stolen file
    /// slow, low enough that a verification stays well inside the dialog's latency budget.
    public static let defaultPINHashIterations = 20_000

    /// First confirmation number minus one: confirmations are `base + sequence`, always 8 digits.
    static let confirmationBase: Int64 = 10_000_000

    private let pool: DatabasePool
    private let pinHashIterations: Int

    /// Opens (creating if needed) the bank database at `path` and migrates it to the current
    /// schema. `pinHashIterations` applies to PINs stored from now on (tests use fewer to stay
    /// fast); existing credentials keep the count stored with them.
    public init(path: String, pinHashIterations: Int = SQLiteDemoBank.defaultPINHashIterations) throws {
        precondition(pinHashIterations >= 1, "PIN hashing needs at least one iteration")
        var configuration = Configuration()
        configuration.label = "VoiceGateBank.demo"
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        pool = try DatabasePool(path: path, configuration: configuration)
        try DemoBankMigrations.migrator.migrate(pool)
        self.pinHashIterations = pinHashIterations
    }

    /// Inserts the documented demo customers (docs/demo-bank.md) that are not yet present.
    /// Idempotent: running it again changes nothing, and never resets a blocked card or a PIN.
    public func seed() async throws {
        let iterations = pinHashIterations
        try await pool.write { db in
            try DemoBankSeed.insert(into: db, pinHashIterations: iterations)
        }
    }

    /// Closes the database connections. Further requests answer `.failure(reason: "database error")`.
    public func close() throws {
        try pool.close()
    }

    /// Answers a dialog request from the database; never throws.
    public func perform(_ request: BackendRequest) async -> BackendResult {
        do {
            switch request {
            case .customerProfile(let callerNumber):
                return try await profile(callerNumber: callerNumber)
            case .verifyIdentity(let callerNumber, let last4, let pin):
                return try await verify(callerNumber: callerNumber, last4: last4, pin: pin)
            case .balance(let accountRef):
                return try await balance(accountRef: accountRef)
            case .blockCard(let accountRef, let last4):
                return try await blockCard(accountRef: accountRef, last4: last4)
            case .lastStatement(let accountRef):
                return try await lastStatement(accountRef: accountRef)
            }
        } catch let refusal as DemoBankRefusal {
            return .failure(reason: refusal.reason)
        } catch {
            // The error's text may quote SQL; the caller only needs to know the bank failed.
            return .failure(reason: "database error")
        }
    }

    /// The preferred prompt language ("en", "zh") of the customer calling from `callerNumber`,
    /// or nil when the number is not on file. Outside the `BankBackend` contract, which has no
    /// language in its profile answer.
    public func language(callerNumber: String) async -> String? {
        guard let phone = CallerNumber.normalized(callerNumber) else { return nil }
        return try? await pool.read { db in
            try String.fetchOne(db, sql: "SELECT language FROM customers WHERE phone_number = ?", arguments: [phone])
        }
    }

    /// The state of the card ending in `last4` of the customer owning `accountRef`, or nil if
    /// there is no such card. For operators and tests; the dialog only blocks cards.
    public func cardState(accountRef: String, last4: String) async -> DemoCardState? {
        try? await pool.read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT c.status, c.confirmation FROM cards c
                    WHERE c.last4 = ? AND c.customer_id = (SELECT customer_id FROM accounts WHERE ref = ?)
                    """,
                arguments: [last4, accountRef])
            else { return nil }
            let status: String = row["status"]
            return DemoCardState(blocked: status == "blocked", confirmation: row["confirmation"])
        }
    }

    // MARK: - Requests

    private func profile(callerNumber: String) async throws -> BackendResult {
        guard let phone = CallerNumber.normalized(callerNumber) else {
            return .profile(known: false, assisted: false)
        }
        let assisted = try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT assisted FROM customers WHERE phone_number = ?", arguments: [phone])
        }
        return .profile(known: assisted != nil, assisted: assisted ?? false)
    }

    /// One customer whose account or card ends in the given last 4, with their PIN credential.
    private struct Candidate: Sendable {
        let customerID: String
        let accountRef: String
        let iterations: Int
        let salt: [UInt8]
        let hash: [UInt8]
    }

    /// Last 4 + PIN. A caller number on file restricts the search to that customer; an unknown
    /// or withheld number searches every customer (people call from other phones). Exactly one
    /// customer must match; two customers sharing last 4 and PIN verify neither.
    private func verify(callerNumber: String, last4: String, pin: String) async throws -> BackendResult {
        guard PINHashing.isDigits(last4, lengths: 4...4), PINHashing.isDigits(pin, lengths: 4...12) else {
            return .identity(verified: false, accountRef: nil)
        }
        let phone = CallerNumber.normalized(callerNumber)
        let candidates = try await pool.read { db -> [Candidate] in
            let customerID: String? = try phone.flatMap {
                try String.fetchOne(db, sql: "SELECT id FROM customers WHERE phone_number = ?", arguments: [$0])
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.customer_id, m.account_ref, p.iterations, p.salt, p.hash
                    FROM (
                        SELECT customer_id, ref AS account_ref, 0 AS priority FROM accounts WHERE last4 = :last4
                        UNION ALL
                        SELECT customer_id, account_ref, 1 AS priority FROM cards WHERE last4 = :last4
                    ) AS m
                    JOIN pin_credentials p ON p.customer_id = m.customer_id
                    WHERE :customer IS NULL OR m.customer_id = :customer
                    ORDER BY m.customer_id, m.priority
                    """,
                arguments: ["last4": last4, "customer": customerID])
            var seen = Set<String>()
            return rows.compactMap { row -> Candidate? in
                let id: String = row["customer_id"]
                // An account match (priority 0) wins over a card of the same customer.
                guard seen.insert(id).inserted else { return nil }
                let salt: Data = row["salt"]
                let hash: Data = row["hash"]
                return Candidate(customerID: id, accountRef: row["account_ref"], iterations: row["iterations"],
                                 salt: Array(salt), hash: Array(hash))
            }
        }
        guard !candidates.isEmpty else {
            // Hash anyway so that "no such last 4" takes as long as "wrong PIN".
            _ = try PINHashing.hash(pin: pin, salt: PINHashing.makeSalt(), iterations: pinHashIterations)
            return .identity(verified: false, accountRef: nil)
        }
        let matching = try candidates.filter {
            try PINHashing.matches(pin: pin, salt: $0.salt, iterations: $0.iterations, storedHash: $0.hash)
        }
        guard matching.count == 1, let match = matching.first else {
            return .identity(verified: false, accountRef: nil)
        }
        return .identity(verified: true, accountRef: match.accountRef)
    }

    private func balance(accountRef: String) async throws -> BackendResult {
        let row = try await pool.read { db -> (Int64, String)? in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT balance_minor, currency FROM accounts WHERE ref = ?", arguments: [accountRef])
            else { return nil }
            return (row["balance_minor"], row["currency"])
        }
        guard let (minorUnits, currency) = row else { throw DemoBankRefusal.unknownAccount }
        return .balance(minorUnits: minorUnits, currency: currency)
    }

    /// Blocks the card in one write transaction: the status change and the confirmation number
    /// taken from the sequence commit together or not at all. Blocking an already blocked card
    /// answers its original confirmation, so a retried request is harmless.
    private func blockCard(accountRef: String, last4: String) async throws -> BackendResult {
        let confirmation = try await pool.write { db -> String in
            guard let customerID = try String.fetchOne(
                db, sql: "SELECT customer_id FROM accounts WHERE ref = ?", arguments: [accountRef])
            else { throw DemoBankRefusal.unknownAccount }
            guard let card = try Row.fetchOne(
                db, sql: "SELECT id, status, confirmation FROM cards WHERE customer_id = ? AND last4 = ?",
                arguments: [customerID, last4])
            else { throw DemoBankRefusal.noSuchCard }
            let status: String = card["status"]
            if status == "blocked", let existing: String = card["confirmation"] {
                return existing
            }
            try db.execute(
                sql: """
                    INSERT INTO sequences (name, value) VALUES ('card_block_confirmation', 1)
                    ON CONFLICT (name) DO UPDATE SET value = value + 1
                    """)
            let next = try Int64.fetchOne(
                db, sql: "SELECT value FROM sequences WHERE name = 'card_block_confirmation'") ?? 1
            let number = String(Self.confirmationBase + next)
            let cardID: Int64 = card["id"]
            try db.execute(
                sql: "UPDATE cards SET status = 'blocked', blocked_at = ?, confirmation = ? WHERE id = ?",
                arguments: [Date(), number, cardID])
            return number
        }
        return .cardBlocked(confirmation: confirmation)
    }

    /// The latest statement of the given account, or else of the customer's other accounts
    /// (callers verify with a current account and then ask for their credit-card bill).
    private func lastStatement(accountRef: String) async throws -> BackendResult {
        let found = try await pool.read { db -> (Int64, String, String)?? in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM accounts WHERE ref = ?)",
                                    arguments: [accountRef]) == true
            else { return nil }
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT s.amount_due_minor, s.currency, s.due_date
                    FROM statements s JOIN accounts a ON a.ref = s.account_ref
                    WHERE a.customer_id = (SELECT customer_id FROM accounts WHERE ref = :ref)
                    ORDER BY (s.account_ref = :ref) DESC, s.due_date DESC
                    LIMIT 1
                    """,
                arguments: ["ref": accountRef])
            return .some(row.map { ($0["amount_due_minor"], $0["currency"], $0["due_date"]) })
        }
        guard let accountExists = found else { throw DemoBankRefusal.unknownAccount }
        guard let (amount, currency, dueDate) = accountExists else { throw DemoBankRefusal.noStatement }
        let parts = dueDate.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { throw DemoBankRefusal.corruptRecord }
        return .statement(amountDueMinor: amount, currency: currency, dueYear: parts[0], dueMonth: parts[1],
                          dueDay: parts[2])
    }
}

/// A card as the demo bank holds it.
public struct DemoCardState: Sendable, Equatable {
    /// Whether the card is blocked.
    public let blocked: Bool
    /// The confirmation number given when it was blocked.
    public let confirmation: String?

    /// A card state.
    public init(blocked: Bool, confirmation: String?) {
        self.blocked = blocked
        self.confirmation = confirmation
    }
}

/// A request the demo bank understood but cannot satisfy; `reason` is safe to trace.
struct DemoBankRefusal: Error {
    let reason: String

    static let unknownAccount = DemoBankRefusal(reason: "unknown account")
    static let noSuchCard = DemoBankRefusal(reason: "no such card")
    static let noStatement = DemoBankRefusal(reason: "no statement")
    static let corruptRecord = DemoBankRefusal(reason: "corrupt record")
}
