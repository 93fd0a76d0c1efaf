import Foundation
import GRDB

/// The documented demo customers (docs/demo-bank.md): enough variety to exercise every flow
/// of the bank menu (a plain customer, an assisted one, an overdrawn one, a Mandarin speaker
/// banking in CNY, a customer without statements). Seeding is idempotent: `INSERT OR IGNORE`
/// on natural keys, so re-seeding neither duplicates rows nor undoes a blocked card, a moved
/// balance or a changed PIN.
enum DemoBankSeed {
    struct Account {
        let ref: String
        let kind: String
        let last4: String
        let balanceMinor: Int64
        let currency: String
    }

    struct Card {
        let accountRef: String
        let last4: String
    }

    struct Statement {
        let accountRef: String
        let amountDueMinor: Int64
        let currency: String
        let dueDate: String
    }

    struct Customer {
        let id: String
        let phoneNumber: String
        let name: String
        let assisted: Bool
        let language: String
        /// Demo PIN, hashed on insert; only the hash reaches the database.
        let pin: String
        let accounts: [Account]
        let cards: [Card]
        let statements: [Statement]
    }

    static let customers: [Customer] = [
        Customer(
            id: "cust-alice", phoneNumber: "+15550001", name: "Alice Example", assisted: false,
            language: "en", pin: "4321",
            accounts: [
                Account(ref: "acct-7f3a9c", kind: "checking", last4: "1234", balanceMinor: 123_456, currency: "USD"),
                Account(ref: "acct-2be81d", kind: "credit", last4: "9012", balanceMinor: -23_450, currency: "USD"),
            ],
            cards: [
                Card(accountRef: "acct-7f3a9c", last4: "5678"),
                Card(accountRef: "acct-2be81d", last4: "9012"),
            ],
            statements: [
                Statement(accountRef: "acct-2be81d", amountDueMinor: 19_875, currency: "USD", dueDate: "2026-11-15"),
                Statement(accountRef: "acct-2be81d", amountDueMinor: 23_450, currency: "USD", dueDate: "2026-12-15"),
            ]),
        Customer(
            id: "cust-bob", phoneNumber: "+15550002", name: "Bob Assisted", assisted: true,
            language: "en", pin: "2580",
            accounts: [
                Account(ref: "acct-c4d190", kind: "checking", last4: "2222", balanceMinor: 50_000, currency: "USD"),
            ],
            cards: [Card(accountRef: "acct-c4d190", last4: "3333")],
            statements: []),
        Customer(
            id: "cust-carol", phoneNumber: "+15550003", name: "Carol Overdrawn", assisted: false,
            language: "en", pin: "1357",
            accounts: [
                Account(ref: "acct-e57b02", kind: "checking", last4: "3456", balanceMinor: -7_525, currency: "USD"),
                Account(ref: "acct-91af6e", kind: "credit", last4: "4444", balanceMinor: -15_000, currency: "USD"),
            ],
            cards: [
                Card(accountRef: "acct-e57b02", last4: "7777"),
                Card(accountRef: "acct-91af6e", last4: "4444"),
            ],
            statements: [
                Statement(accountRef: "acct-91af6e", amountDueMinor: 15_000, currency: "USD", dueDate: "2026-12-01"),
            ]),
        Customer(
            id: "cust-wei", phoneNumber: "+8613800138000", name: "王伟 (Wang Wei)", assisted: false,
            language: "zh", pin: "9753",
            accounts: [
                Account(ref: "acct-5d0c38", kind: "checking", last4: "8888", balanceMinor: 888_800, currency: "CNY"),
                Account(ref: "acct-0a6f4b", kind: "credit", last4: "6000", balanceMinor: -120_000, currency: "CNY"),
            ],
            cards: [
                Card(accountRef: "acct-5d0c38", last4: "6222"),
                Card(accountRef: "acct-0a6f4b", last4: "6000"),
            ],
            statements: [
                Statement(accountRef: "acct-0a6f4b", amountDueMinor: 120_000, currency: "CNY", dueDate: "2026-12-20"),
            ]),
    ]

    /// Inserts every demo customer not yet present. Runs inside the caller's write transaction.
    static func insert(into db: Database, pinHashIterations: Int) throws {
        for customer in customers {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO customers (id, phone_number, name, assisted, language)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [customer.id, customer.phoneNumber, customer.name, customer.assisted, customer.language])
            for account in customer.accounts {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO accounts (ref, customer_id, kind, last4, balance_minor, currency)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [account.ref, customer.id, account.kind, account.last4, account.balanceMinor,
                                account.currency])
            }
            for card in customer.cards {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO cards (customer_id, account_ref, last4) VALUES (?, ?, ?)",
                    arguments: [customer.id, card.accountRef, card.last4])
            }
            for statement in customer.statements {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO statements (account_ref, amount_due_minor, currency, due_date)
                        VALUES (?, ?, ?, ?)
                        """,
                    arguments: [statement.accountRef, statement.amountDueMinor, statement.currency,
                                statement.dueDate])
            }
            // Hash only when missing: the salt is random, and an existing PIN must survive re-seeding.
            let hasPIN = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM pin_credentials WHERE customer_id = ?)",
                arguments: [customer.id]) ?? false
            if !hasPIN {
                let salt = PINHashing.makeSalt()
                let hash = try PINHashing.hash(pin: customer.pin, salt: salt, iterations: pinHashIterations)
                try db.execute(
                    sql: "INSERT INTO pin_credentials (customer_id, iterations, salt, hash) VALUES (?, ?, ?, ?)",
                    arguments: [customer.id, pinHashIterations, Data(salt), Data(hash)])
            }
        }
    }
}
