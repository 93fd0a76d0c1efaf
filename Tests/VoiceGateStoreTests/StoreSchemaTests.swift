import Foundation
import Testing
import VoiceGateDialog
@testable import VoiceGateStore

@Suite struct StoreSchemaTests {
    @Test func aFreshFileIsMigratedOnceAndReopensWithoutChange() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        #expect(try store.appliedMigrations() == ["v1-records", "v2-admin-users", "v3-outbox", "v4-current-versions"])
        #expect(VoiceGateStore.schemaVersion == 4)
        try await store.begin(start("c1"))
        try store.close()
        // Opening again applies nothing new and keeps the data.
        let again = try CallStore(path: file.path)
        #expect(try again.appliedMigrations() == ["v1-records", "v2-admin-users", "v3-outbox", "v4-current-versions"])
        #expect(try await again.call(id: "c1") != nil)
        // WAL mode: the write-ahead log file exists next to the database.
        #expect(FileManager.default.fileExists(atPath: file.path + "-wal"))
    }

    @Test func aCallIDIsRecordedOnlyOnce() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        try await store.begin(start("dup"))
        await #expect(throws: (any Error).self) { try await store.begin(start("dup")) }
    }

    @Test func versionsAreDeduplicatedByContentHashAndAuditIsListedNewestFirst() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let v1 = try await store.registerMenuVersion(name: "bank", content: "start: main\n", author: "ops")
        let same = try await store.registerMenuVersion(name: "bank", content: "start: main\n", author: "someone else")
        let v2 = try await store.registerMenuVersion(name: "bank", content: "start: other\n", author: "ops", note: "edit")
        #expect(same.id == v1.id && same.author == "ops")
        #expect(v2.id != v1.id)
        // `printf 'start: main\n' | sha256sum`, an independent reference.
        #expect(v1.contentHash == "7dbc88eeba6f77ba13f5fc7cc2378a12cde8ee822a6080a87da32e3ac18cde81")
        #expect(try await store.menuVersions(name: "bank").map(\.id) == [v2.id, v1.id])

        let p = try await store.registerPromptVersion(name: "greeting", language: "en", content: Array("Welcome".utf8),
                                                      mediaType: "text/plain", author: "ops")
        #expect(try await store.promptVersions(name: "greeting") == [p])

        try await store.audit(AuditEntry(at: fixedNow, who: "alice", action: "menu.publish", target: "\(v1.id)", source: "10.0.0.5"))
        try await store.audit(AuditEntry(at: fixedNow.addingTimeInterval(1), who: "bob", action: "calls.export", source: "cli"))
        let trail = try await store.auditTrail()
        #expect(trail.map(\.who) == ["bob", "alice"])
        #expect(trail.last?.source == "10.0.0.5" && trail.last?.at == fixedNow)
    }

    @Test func contentHashIsHexSHA256OnTheStandardVectors() {
        #expect(ContentHash.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(ContentHash.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
