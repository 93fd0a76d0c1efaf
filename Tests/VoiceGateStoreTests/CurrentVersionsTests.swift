import Foundation
import Testing
@testable import VoiceGateStore

/// The "current" pointers of migration v4: written with their version and audit rows in one
/// transaction, kept in the file across opens, the file's version kept unless given.
struct CurrentVersionsTests {
    @Test func publishingWritesVersionPointerAndAuditTogetherAndTheyPersist() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        let fromFile = try await store.registerPromptVersion(name: "greeting", language: "en", content: Array("Hello.".utf8),
                                                             mediaType: "text/plain", author: "voicegate serve")
        let menuFile = try await store.registerMenuVersion(name: "bank", content: "a: 1", author: "voicegate serve")
        try await store.setCurrent(prompts: [CurrentPrompt(name: "greeting", language: "en", version: fromFile.id, fileVersion: fromFile.id)],
                                   menu: CurrentMenu(version: menuFile.id, fileVersion: menuFile.id))
        let published = try await store.publishPromptVersion(
            name: "greeting", language: "en", content: Array("Welcome.".utf8), mediaType: "text/plain", author: "alice", note: "n",
            audit: { AuditEntry(at: Date(), who: "alice", action: "prompt.publish", target: "v\($0.id)", source: "127.0.0.1") })
        let canary = try await store.publishMenuVersion(
            name: "bank", content: "a: 2", author: "alice", note: nil,
            pointer: { CurrentMenu(version: menuFile.id, canaryVersion: $0.id, canaryPercent: 25) },
            audit: { AuditEntry(at: Date(), who: "alice", action: "menu.publish", target: "v\($0.id)", source: "127.0.0.1") })
        try store.close()

        let again = try CallStore(path: file.path)
        defer { try? again.close() }
        #expect(try await again.currentPrompts() == [CurrentPrompt(name: "greeting", language: "en", version: published.id,
                                                                  fileVersion: fromFile.id)])
        #expect(try await again.currentMenu() == CurrentMenu(version: menuFile.id, canaryVersion: canary.id, canaryPercent: 25,
                                                            fileVersion: menuFile.id))
        let trail = try await again.auditTrail().map { "\($0.action) \($0.target ?? "")" }
        #expect(trail == ["menu.publish v\(canary.id)", "prompt.publish v\(published.id)"])
        #expect(try await again.promptVersion(id: published.id)?.content == Array("Welcome.".utf8))
        #expect(try await again.menuVersion(id: canary.id)?.content == "a: 2")
    }

    @Test func aFailedAuditLeavesNeitherVersionNorPointer() async throws {
        let file = TempStoreFile()
        let store = try CallStore(path: file.path)
        defer { try? store.close() }
        // A pointer to a version that does not exist violates the foreign key: the whole change is refused.
        await #expect(throws: (any Error).self) {
            _ = try await store.publishMenuVersion(
                name: "bank", content: "a: 3", author: "alice", note: nil,
                pointer: { CurrentMenu(version: $0.id, canaryVersion: 9999, canaryPercent: 10) },
                audit: { AuditEntry(at: Date(), who: "alice", action: "menu.publish", target: "v\($0.id)", source: "x") })
        }
        #expect(try await store.menuVersions().isEmpty)
        #expect(try await store.currentMenu() == nil)
        #expect(try await store.auditTrail().isEmpty)
    }
}
