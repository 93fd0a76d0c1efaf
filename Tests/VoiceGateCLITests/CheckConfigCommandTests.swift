import Foundation
import Testing

/// `voicegate check-config` as a user runs it: the shipped files pass, a broken menu is
/// reported with file:line:column and exit 1.
@Suite struct CheckConfigCommandTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theShippedConfigurationIsClean() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vg-cc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try runVoicegate(["check-config", "--config", root.appendingPathComponent("Config/voicegate.yaml").path,
                                  "--menu", root.appendingPathComponent("Config/menu.yaml").path,
                                  "--prompts", root.appendingPathComponent("Prompts").path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("\"ok\":true"))
    }

    @Test func aBrokenMenuIsRejectedWithLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vg-cc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var menu = try String(contentsOf: root.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
        // Point the balance choice at a node that does not exist.
        let original = menu
        menu = menu.replacingOccurrences(of: "next: say_balance", with: "next: say_balanse")
        #expect(menu != original)
        let path = dir.appendingPathComponent("menu.yaml").path
        try menu.write(toFile: path, atomically: true, encoding: .utf8)
        let line = menu.components(separatedBy: "\n").firstIndex { $0.contains("say_balanse") }! + 1
        let r = try runVoicegate(["check-config", "--config", root.appendingPathComponent("Config/voicegate.yaml").path,
                                  "--menu", path, "--prompts", root.appendingPathComponent("Prompts").path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(path):\(line):"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("say_balanse"))
        #expect(r.stdout.isEmpty)
    }
}
