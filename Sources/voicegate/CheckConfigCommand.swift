import ArgumentParser
import Foundation
import VoiceGateDialog

/// `voicegate check-config` (DESIGN.md section 5): validates the server config, the menu
/// and the prompts. Problems go to stderr as `file:line:column: message` (exit 1); on
/// success a JSON summary goes to stdout.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate Config/voicegate.yaml, the menu and the prompts.")

    @Option(help: "Server configuration (created with defaults if missing).")
    var config = "Config/voicegate.yaml"

    @Option(help: "The menu.")
    var menu = "Config/menu.yaml"

    @Option(help: "Prompt folder with one subfolder per language (en, zh).")
    var prompts = "Prompts"

    func run() async throws {
        let files = FileManager.default
        if !files.fileExists(atPath: config) {
            // A fresh clone gets a working minimal configuration instead of an error.
            try? files.createDirectory(atPath: (config as NSString).deletingLastPathComponent,
                                       withIntermediateDirectories: true)
            try ServerConfigCheck.defaultYAML.write(toFile: config, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("check-config: created \(config) with defaults\n".utf8))
        }
        let configText = try read(config)
        let menuText = try read(menu)
        var promptFiles: [ConfigCheck.PromptFile] = []
        for language in Language.allCases {
            let folder = (prompts as NSString).appendingPathComponent(language.rawValue)
            guard let names = try? files.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") {
                let path = (folder as NSString).appendingPathComponent(name)
                promptFiles.append(.init(language: language, file: path, text: try read(path)))
            }
        }
        let report = ConfigCheck.run(config: (config, configText), menu: (menu, menuText), prompts: promptFiles)
        if !report.ok {
            let text = report.problems.map { $0.description + "\n" }.joined()
            FileHandle.standardError.write(Data(text.utf8))
            FileHandle.standardError.write(Data("check-config: \(report.problems.count) problem(s)\n".utf8))
            throw ExitCode(1)
        }
        let summary = Summary(ok: true, config: config, menu: menu, name: report.menu?.name ?? "",
                              nodes: report.menu?.nodes.count ?? 0,
                              languages: (report.menu?.languages ?? []).map(\.rawValue),
                              prompts: report.promptIDs.mapValues(\.count).reduce(into: [:]) { $0[$1.key.rawValue] = $1.value })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }

    /// The JSON line printed on success.
    struct Summary: Encodable {
        var ok: Bool
        var config: String
        var menu: String
        var name: String
        var nodes: Int
        var languages: [String]
        var prompts: [String: Int]
    }

    func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadFailure(description: "\(path):1:1: cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReadFailure(description: "\(path):1:1: not UTF-8 text")
        }
        return text
    }

    /// A file that cannot be read, reported in the same `file:line:column` form.
    struct ReadFailure: Error, CustomStringConvertible {
        var description: String
    }
}
