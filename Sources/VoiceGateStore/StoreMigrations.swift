import GRDB

/// Schema of the records database, as GRDB migrations applied on open and recorded in
/// `grdb_migrations`. Documented in docs/records.md; keep both in step. Times are GRDB
/// `Date`s (UTC text `YYYY-MM-DD HH:MM:SS.SSS`, readable in `sqlite3` and ordered as text).
enum StoreMigrations {
    /// Migration names, in order.
    static let identifiers = ["v1-records", "v2-admin-users", "v3-outbox", "v4-current-versions"]

    /// The migrator holding every schema version in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(identifiers[0]) { db in
            try db.execute(sql: """
                -- Versions are immutable: a change is a new row; UPDATE and DELETE are refused.
                CREATE TABLE menu_versions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    content TEXT NOT NULL,                        -- the menu YAML
                    content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),  -- SHA-256, hex
                    author TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    note TEXT,
                    UNIQUE (name, content_hash)
                );
                CREATE TABLE prompt_versions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,                           -- prompt id, e.g. 'greeting'
                    language TEXT NOT NULL,                       -- 'en', 'zh'
                    content BLOB NOT NULL,                        -- text to synthesise, or audio
                    media_type TEXT NOT NULL,                     -- 'text/plain', 'audio/wav'
                    content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
                    author TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    note TEXT,
                    UNIQUE (name, language, content_hash)
                );
                -- Who did what, when, from where. Append-only.
                CREATE TABLE admin_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DATETIME NOT NULL,
                    who TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT,
                    source TEXT NOT NULL                          -- remote address or 'cli'
                );
                CREATE INDEX admin_audit_at ON admin_audit(at);

                CREATE TABLE calls (
                    id TEXT PRIMARY KEY NOT NULL,                 -- SIP Call-ID or simulate id
                    started_at DATETIME NOT NULL,
                    ended_at DATETIME,                            -- NULL while the call runs
                    caller_number TEXT NOT NULL,
                    called_number TEXT NOT NULL,
                    language TEXT NOT NULL,                       -- last language prompts used
                    menu_version INTEGER REFERENCES menu_versions(id),
                    outcome TEXT CHECK (outcome IN
                        ('self_served', 'transferred', 'abandoned', 'failed', 'interrupted')),
                    transfer_reason TEXT,
                    end_detail TEXT,                              -- e.g. 'media timeout'
                    CHECK ((ended_at IS NULL) = (outcome IS NULL))
                );
                CREATE INDEX calls_started_at ON calls(started_at);
                CREATE INDEX calls_caller ON calls(caller_number, started_at);
                CREATE INDEX calls_open ON calls(ended_at) WHERE ended_at IS NULL;

                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,         -- arrival order
                    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
                    t_ms INTEGER NOT NULL,                        -- ms since the call started
                    node TEXT,
                    type TEXT NOT NULL,                           -- trace vocabulary (DESIGN.md 5)
                    detail TEXT NOT NULL                          -- the event's other keys, JSON
                );
                CREATE INDEX events_call ON events(call_id, id);
                CREATE INDEX events_node ON events(node, call_id);

                CREATE TABLE transfers (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
                    queue TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    priority INTEGER NOT NULL DEFAULT 0,
                    context TEXT NOT NULL,                        -- TransferContext JSON
                    created_at DATETIME NOT NULL
                );
                CREATE INDEX transfers_call ON transfers(call_id);
                """)
            for table in ["menu_versions", "prompt_versions", "admin_audit"] {
                for operation in ["UPDATE", "DELETE"] {
                    try db.execute(sql: """
                        CREATE TRIGGER \(table)_no_\(operation.lowercased()) BEFORE \(operation) ON \(table)
                        BEGIN SELECT RAISE(ABORT, '\(table) rows are immutable'); END;
                        """)
                }
            }
        }
        migrator.registerMigration(identifiers[1]) { db in
            try db.execute(sql: """
                -- Console and API users. Passwords: PBKDF2-HMAC-SHA-256, per-user salt and rounds.
                CREATE TABLE admin_users (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
                    password_hash BLOB NOT NULL CHECK (length(password_hash) = 32),
                    salt BLOB NOT NULL,
                    iterations INTEGER NOT NULL CHECK (iterations >= 1),
                    created_at DATETIME NOT NULL
                );
                -- API tokens: only the SHA-256 of the token is kept (the token is shown once).
                CREATE TABLE api_tokens (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
                    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),  -- SHA-256, hex
                    created_at DATETIME NOT NULL,
                    last_used_at DATETIME
                );
                -- Browser sessions (cookie vg_session): only the SHA-256 of the session id is kept.
                CREATE TABLE sessions (
                    id_hash TEXT PRIMARY KEY NOT NULL CHECK (length(id_hash) = 64),
                    user_id INTEGER NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL
                );
                CREATE INDEX sessions_expires ON sessions(expires_at);
                """)
        }
        migrator.registerMigration(identifiers[2]) { db in
            try db.execute(sql: """
                -- Messages to deliver (the transfer webhook), written in the transaction that
                -- records what they tell, delivered with retries until done or given up.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    call_id TEXT REFERENCES calls(id) ON DELETE CASCADE,
                    event TEXT NOT NULL,                          -- 'transfer'
                    payload TEXT NOT NULL,                        -- the exact JSON body sent
                    created_at DATETIME NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL,
                    delivered_at DATETIME,
                    abandoned_at DATETIME,                        -- given up (too old)
                    last_error TEXT
                );
                CREATE INDEX outbox_due ON outbox(next_attempt_at)
                    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
                """)
        }
        migrator.registerMigration(identifiers[3]) { db in
            try db.execute(sql: """
                -- What new calls get, so a restart resumes it: per prompt text the current
                -- version, and what its file on disk registered as at the last (re)load (a file
                -- edited since wins over a published version at the next start).
                CREATE TABLE current_prompts (
                    name TEXT NOT NULL,
                    language TEXT NOT NULL,
                    version INTEGER NOT NULL REFERENCES prompt_versions(id),
                    file_version INTEGER REFERENCES prompt_versions(id),
                    updated_at DATETIME NOT NULL,
                    PRIMARY KEY (name, language)
                );
                -- The gateway's menu: one row (id 1), its current version, an optional canary.
                CREATE TABLE current_menu (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL REFERENCES menu_versions(id),
                    canary_version INTEGER REFERENCES menu_versions(id),
                    canary_percent INTEGER NOT NULL DEFAULT 0 CHECK (canary_percent BETWEEN 0 AND 100),
                    file_version INTEGER REFERENCES menu_versions(id),
                    updated_at DATETIME NOT NULL,
                    CHECK ((canary_version IS NULL) = (canary_percent = 0))
                );
                """)
        }
        return migrator
    }
}
