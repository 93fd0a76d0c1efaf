import Foundation
import Testing

/// `voicegate admin`: users from a password file, tokens printed once, a list without secrets,
/// refusals for bad roles and short passwords.
@Suite struct AdminCommandTests {
    @Test func usersAndTokensAreAddedListedAndRemoved() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("db.sqlite").path
        let passwordFile = folder.appendingPathComponent("pw")
        try "a long passphrase\n".write(to: passwordFile, atomically: true, encoding: .utf8)

        let user = try runVoicegate(["admin", "add-user", "alice", "--role", "admin", "--password-file", passwordFile.path,
                                     "--iterations", "1000", "--db", db])
        #expect(user.status == 0 && user.stdout.contains("added user alice (admin)"), "\(user)")
        let token = try runVoicegate(["admin", "add-token", "crm", "--role", "viewer", "--db", db])
        let printed = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.status == 0 && printed.hasPrefix("vgt_") && printed.count > 40, "\(token)")

        let list = try runVoicegate(["admin", "list", "--db", db])
        #expect(list.status == 0 && list.stdout.contains("user\talice\tadmin") && list.stdout.contains("token\tcrm\tviewer"), "\(list)")
        #expect(!list.stdout.contains(printed) && !list.stdout.contains("passphrase"))

        let badRole = try runVoicegate(["admin", "add-token", "x", "--role", "root", "--db", db])
        #expect(badRole.status != 0 && badRole.stderr.contains("unknown role 'root'"), "\(badRole)")
        try "short\n".write(to: passwordFile, atomically: true, encoding: .utf8)
        let short = try runVoicegate(["admin", "add-user", "bob", "--password-file", passwordFile.path, "--db", db])
        #expect(short.status != 0 && short.stderr.contains("at least 8 characters"), "\(short)")

        #expect(try runVoicegate(["admin", "remove", "token", "crm", "--db", db]).status == 0)
        #expect(!(try runVoicegate(["admin", "list", "--db", db]).stdout.contains("crm")))
    }
}
