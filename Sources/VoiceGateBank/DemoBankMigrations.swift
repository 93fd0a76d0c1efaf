import GRDB

/// Schema of the embedded demo bank, as GRDB migrations. Each migration is applied once and
/// recorded in `grdb_migrations`, so opening an existing file upgrades it in place.
/// The schema is documented in docs/demo-bank.md; keep both in step.
enum DemoBankMigrations {
    /// The migrator holding every schema version in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-demo-bank") { db in
            try db.execute(sql: """
                CREATE TABLE customers (
                    id TEXT PRIMARY KEY NOT NULL,
                    phone_number TEXT NOT NULL UNIQUE,       -- E.164 with '+', e.g. +15550001
                    name TEXT NOT NULL,
                    assisted BOOLEAN NOT NULL DEFAULT 0,     -- slower prompts, DTMF first, agent offered
                    language TEXT NOT NULL DEFAULT 'en'      -- 'en' or 'zh'
                );

                CREATE TABLE accounts (
                    ref TEXT PRIMARY KEY NOT NULL,           -- opaque reference handed to the dialog
                    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('checking', 'savings', 'credit')),
                    last4 TEXT NOT NULL CHECK (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*'),
                    balance_minor INTEGER NOT NULL,          -- cents / fen; negative when overdrawn
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    UNIQUE (customer_id, last4)
                );
                CREATE INDEX accounts_last4 ON accounts(last4);

                CREATE TABLE cards (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                    account_ref TEXT NOT NULL REFERENCES accounts(ref) ON DELETE CASCADE,
                    last4 TEXT NOT NULL CHECK (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*'),
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
                    blocked_at DATETIME,
                    confirmation TEXT,
                    UNIQUE (customer_id, last4),
                    CHECK ((status = 'blocked') = (confirmation IS NOT NULL))
                );
                CREATE INDEX cards_last4 ON cards(last4);

                -- One telephone PIN per customer, never in clear: PBKDF2-HMAC-SHA-256 with a
                -- random per-customer salt; the iteration count is stored so it can be raised.
                CREATE TABLE pin_credentials (
                    customer_id TEXT PRIMARY KEY NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                    algorithm TEXT NOT NULL DEFAULT 'pbkdf2-sha256',
                    iterations INTEGER NOT NULL CHECK (iterations >= 1),
                    salt BLOB NOT NULL,
                    hash BLOB NOT NULL
                );

                CREATE TABLE statements (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account_ref TEXT NOT NULL REFERENCES accounts(ref) ON DELETE CASCADE,
                    amount_due_minor INTEGER NOT NULL,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    due_date TEXT NOT NULL CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                    UNIQUE (account_ref, due_date)
                );

                -- Named counters; 'card_block_confirmation' numbers card blocks.
                CREATE TABLE sequences (
                    name TEXT PRIMARY KEY NOT NULL,
                    value INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }
}
