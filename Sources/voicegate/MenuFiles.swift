import ArgumentParser
import Foundation
import VoiceGateDialog

/// Where the menu and prompts live; shared by the commands that run calls.
struct MenuFileOptions: ParsableArguments {
    @Option(help: "The menu.")
    var menu = "Config/menu.yaml"

    @Option(help: "Prompt folder with one subfolder per language (en, zh).")
    var prompts = "Prompts"

    /// Every `*.yaml` directly under `Prompts/<lang>/`, per language.
    func promptFiles() throws -> [ConfigCheck.PromptFile] {
        var files: [ConfigCheck.PromptFile] = []
        for language in Language.allCases {
            let folder = (prompts as NSString).appendingPathComponent(language.rawValue)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") {
                let path = (folder as NSString).appendingPathComponent(name)
                files.append(.init(language: language, file: path, text: try readText(path)))
            }
        }
        return files
    }

    /// The validated menu, or a `ValidationError` listing every problem as `file:line:column: message`.
    func loadMenu() throws -> Menu {
        let report = ConfigCheck.run(config: nil, menu: (menu, try readText(menu)), prompts: try promptFiles())
        guard report.ok, let loaded = report.menu else {
            throw ValidationError(report.problems.map(\.description).joined(separator: "\n"))
        }
        return loaded
    }
}

/// Reads a UTF-8 text file or fails with a message naming it.
func readText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read \(path)")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(path) is not UTF-8 text") }
    return text
}
