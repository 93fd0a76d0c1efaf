import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateSpeech

/// `voicegate enroll-keywords`: makes every menu phrase that the keyword model's units do not
/// serve live, without retraining and without hand-labelled audio (issue 4, "adding a keyword").
struct EnrollKeywordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll-keywords",
        abstract: "Enroll the menu's new keyword phrases for the keyword model (no retraining).",
        discussion: """
            For each phrase of the menu in the model's language that no unit of the model serves, \
            espeak-ng says it in several voices, rates, pitches and sentences through the \
            telephone channel; the network's trunk turns each example into a template, and a \
            threshold is calibrated on other voices so that at most 5% of sentences without the \
            phrase (plain speech, near-misses, the menu's other phrases) would be accepted. \
            Recordings in PROMPTS/<lang>/keywords/<phrase>/*.wav (folder named as the phrase, \
            "_" for spaces; each file the phrase said alone) are added as templates. \
            Writes CONFIG/enrolled-keywords-<lang>.json, which spot, simulate and serve use \
            when it exists. Prints one JSON line per menu phrase.
            """)

    @Option(help: "Configuration folder: its menu.yaml is read and the enrolled file written there.")
    var config = "Config"

    @Option(help: "The menu (default: CONFIG/menu.yaml).")
    var menu: String?

    @Option(help: "Keyword model whose trunk makes the templates.")
    var model = "Models/keywords-en.json"

    @Option(help: "Prompt folder; recordings are taken from PROMPTS/<lang>/keywords/<phrase>/*.wav.")
    var prompts = "Prompts"

    @Option(help: "Output file (default: CONFIG/enrolled-keywords-<lang>.json).")
    var output: String?

    func run() async throws {
        let menuFile = menu ?? (config as NSString).appendingPathComponent("menu.yaml")
        var files = MenuFileOptions()
        files.menu = menuFile
        files.prompts = prompts
        let loadedMenu = try files.loadMenu()
        let keywordModel: KeywordModel
        do { keywordModel = try KeywordModel(contentsOf: model) } catch { throw ValidationError("\(error)") }
        guard let language = Language(rawValue: keywordModel.language),
              let plan = KeywordEnrollmentPlan.standard(language: keywordModel.language) else {
            throw ValidationError("\(model): enrollment has no voices for language '\(keywordModel.language)'")
        }
        var toEnroll: [(intent: String, phrase: String)] = []
        var all: [String] = []
        var lines: [[String: Any]] = []
        for intent in loadedMenu.intents {
            for phrase in intent.phrases[language] ?? [] {
                all.append(phrase)
                if let unit = keywordModel.unit(for: phrase) {
                    lines.append(["phrase": phrase, "intent": intent.name, "served_by": keywordModel.classes[unit]])
                } else if !toEnroll.contains(where: { $0.phrase == phrase }) {
                    toEnroll.append((intent.name, phrase))
                }
            }
        }
        let recordings = try Self.recordings(folder: (prompts as NSString).appendingPathComponent("\(language.rawValue)/keywords"),
                                             phrases: toEnroll.map(\.phrase))
        let started = Date()
        let enroller = KeywordEnroller(model: keywordModel, plan: plan)
        let (enrolled, reports) = try await enroller.enroll(phrases: toEnroll.map(\.phrase), otherPhrases: all,
                                                            recordings: recordings)
        for (entry, report) in zip(toEnroll, reports) {
            func r(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
            lines.append(["phrase": entry.phrase, "intent": entry.intent, "enrolled": true,
                          "templates": report.templates, "recordings": report.recordings,
                          "threshold": r(report.threshold),
                          "calibration": ["detected": r(report.detected), "false_accepts": r(report.falseAccepts),
                                          "negatives": report.negatives] as [String: Any]])
        }
        let path = output ?? EnrolledKeywords.defaultPath(menuFile: menuFile, language: keywordModel.language)
        do {
            try enrolled.json().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ValidationError("cannot write \(path): \(error)")
        }
        for line in lines {
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
        FileHandle.standardError.write(Data(String(format: "voicegate: enrolled %d phrase(s) in %.1f s; wrote %@\n",
                                                   reports.count, Date().timeIntervalSince(started), path).utf8))
    }

    /// WAV files under `folder/<phrase>/` for each phrase (folder names compared as phrases are,
    /// with "_" and "-" read as spaces).
    static func recordings(folder: String, phrases: [String]) throws -> [String: [KeywordEnroller.Recording]] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [:] }
        func key(_ s: String) -> String {
            let kept: [Character] = s.lowercased().map { c in c.isLetter || c.isNumber || c == "'" ? c : " " }
            return String(kept).split(separator: " ").joined(separator: " ")
        }
        var found: [String: [KeywordEnroller.Recording]] = [:]
        for name in names.sorted() {
            guard let phrase = phrases.first(where: { key($0) == key(name) }) else { continue }
            let sub = (folder as NSString).appendingPathComponent(name)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: sub))?.sorted() ?? [] where file.lowercased().hasSuffix(".wav") {
                let path = (sub as NSString).appendingPathComponent(file)
                do {
                    let clip = try WAVFile.read(path: path)
                    found[phrase, default: []].append(.init(source: path, samples: clip.samples, sampleRate: clip.sampleRate))
                } catch {
                    throw ValidationError("\(path): \(error)")
                }
            }
        }
        return found
    }
}
