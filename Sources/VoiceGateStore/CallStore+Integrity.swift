import GRDB

extension CallStore {
    /// SQLite's own check of the whole file (`PRAGMA integrity_check`): the problems it
    /// reports, empty when the file is sound. For tests that kill the gateway mid-write and for
    /// ops checking a file after a crash; it reads every page, so it is slow on large files.
    public func integrityProblems() throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
        }
    }
}
