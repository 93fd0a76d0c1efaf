import Foundation
import Testing
import VoiceGateDialog
@testable import VoiceGateStore

/// Users, tokens and sessions of the console: stored hashed, verified, expired, removed.
@Suite struct AdminCredentialTests {
    @Test func passwordsAreStoredHashedWithASaltAndVerified() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        try await store.addUser(name: "alice", role: "editor", password: "correct horse", iterations: 1000)
        try await store.addUser(name: "bob", role: "viewer", password: "correct horse", iterations: 1000)
        #expect(try await store.verifyPassword(name: "alice", password: "correct horse")
                == AdminPrincipal(name: "alice", role: "editor", kind: .user))
        #expect(try await store.verifyPassword(name: "alice", password: "correct hors") == nil)
        #expect(try await store.verifyPassword(name: "nobody", password: "correct horse") == nil)
        // Same password, different salts: different hashes; the password is nowhere on disk.
        let hashes = try await store.pool.read { db in try Data.fetchAll(db, sql: "SELECT password_hash FROM admin_users") }
        #expect(hashes.count == 2 && hashes[0] != hashes[1])
        try store.close()
        #expect(!contains(file.rawBytes(), "correct horse"))
    }

    @Test func badRolesNamesShortPasswordsAndDuplicatesAreRefused() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        await #expect(throws: AdminCredentialError.unknownRole("root")) {
            try await store.addUser(name: "a", role: "root", password: "12345678", iterations: 1)
        }
        await #expect(throws: AdminCredentialError.passwordTooShort) {
            try await store.addUser(name: "a", role: "viewer", password: "1234567", iterations: 1)
        }
        await #expect(throws: AdminCredentialError.badName("a b")) {
            _ = try await store.addToken(name: "a b", role: "viewer")
        }
        _ = try await store.addToken(name: "ci", role: "viewer")
        await #expect(throws: AdminCredentialError.nameTaken("ci")) { _ = try await store.addToken(name: "ci", role: "admin") }
    }

    @Test func tokensAreShownOnceStoredAsSHA256AndNoteTheirUse() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let token = try await store.addToken(name: "crm", role: "viewer")
        #expect(token.hasPrefix("vgt_") && token.count > 40)
        #expect(try await store.principal(forToken: token) == AdminPrincipal(name: "crm", role: "viewer", kind: .token))
        #expect(try await store.principal(forToken: token + "x") == nil)
        let listed = try await store.adminCredentials()
        #expect(listed.map(\.name) == ["crm"] && listed[0].lastUsedAt != nil)
        #expect(try await store.removeCredential(kind: .token, name: "crm"))
        #expect(try await store.principal(forToken: token) == nil)
        try store.close()
        #expect(!contains(file.rawBytes(), token))
    }

    @Test func sessionsExpireAndEndAndGoWithTheirUser() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        try await store.addUser(name: "alice", role: "admin", password: "12345678", iterations: 1)
        let now = Date()
        let session = try await store.createSession(userName: "alice", lifetime: 60, at: now)
        #expect(try await store.principal(forSession: session, at: now.addingTimeInterval(59))?.name == "alice")
        #expect(try await store.principal(forSession: session, at: now.addingTimeInterval(61)) == nil)
        #expect(try await store.principal(forSession: "forged", at: now) == nil)
        try await store.endSession(session)
        #expect(try await store.principal(forSession: session, at: now) == nil)
        let again = try await store.createSession(userName: "alice", lifetime: 60, at: now)
        try await store.removeCredential(kind: .user, name: "alice")
        #expect(try await store.principal(forSession: again, at: now) == nil)
    }

    @Test func aTransferEnqueuesItsMaskedWebhookMessageInTheSameTransaction() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        try await store.begin(start("call-1"))
        let at = Date()
        try await store.recordTransfer(callID: "call-1", queue: "general", reason: "agent_request", priority: 0,
                                       context: context(callID: "call-1", masked: ["pin": "****"]), at: at)
        let due = try await store.dueOutboxMessages(now: at)
        #expect(due.count == 1 && due[0].event == "transfer" && due[0].callID == "call-1")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(due[0].payload.utf8)) as? [String: Any])
        #expect(body["call_id"] as? String == "call-1" && body["queue"] as? String == "general")
        #expect((body["context"] as? [String: Any])?["ani"] as? String == "+15550001")

        try await store.markOutboxFailed(id: due[0].id, error: "http 500", retryAt: at.addingTimeInterval(2), at: at)
        #expect(try await store.dueOutboxMessages(now: at.addingTimeInterval(1)).isEmpty)
        #expect(try await store.dueOutboxMessages(now: at.addingTimeInterval(2)).count == 1)
        try await store.markOutboxDelivered(id: due[0].id)
        let row = try #require(try await store.outboxMessages().first)
        #expect(row.attempts == 2 && row.deliveredAt != nil && row.lastError == nil)
        #expect(try await store.dueOutboxMessages(now: at.addingTimeInterval(99)).isEmpty)
        // A failed transfer write (unknown call) leaves no message behind.
        await #expect(throws: (any Error).self) {
            try await store.recordTransfer(callID: "nope", queue: "q", reason: "r", priority: 0,
                                           context: context(callID: "nope"), at: at)
        }
        #expect(try await store.outboxMessages().count == 1)
    }

    @Test func signaturesAreHexHMACSHA256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        #expect(OutboxSignature.header(secret: "Jefe", body: Array("what do ya want for nothing?".utf8))
                == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
