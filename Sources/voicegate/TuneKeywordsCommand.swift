import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateDSP
import VoiceGateMedia
import VoiceGateSpeech

/// `voicegate tune-keywords --corpus DIR`: per-phrase keyword thresholds from a labelled
/// corpus, written into the menu as a reviewable change (README "Command line").
struct TuneKeywordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune-keywords",
        abstract: "Tune a keyword threshold per phrase on a labelled corpus and write them into the menu.",
        discussion: """
            Reads DIR/labels.jsonl (the corpus format of make_corpus.py: file, kind, intent, \\
            keyword), processes every non-DTMF file as `voicegate spot` does (every English phrase \\
            of the menu live) and chooses per phrase the threshold that gives the most files their \\
            right intent while false accepts (an intent on a file that has none, or a wrong intent) \\
            stay at most --max-false-accepts of the files. Prints one JSON line per phrase and a \\
            summary on stdout, a table and the unified diff of the menu on stderr. The menu is \\
            changed only with --write: each changed intent gets one `thresholds:` line; comments \\
            and order stay. Tune on one corpus seed, report on another.
            """)

    @Option(help: "Corpus folder with labels.jsonl and the WAV files it names.")
    var corpus: String

    @Option(help: "Configuration folder; its menu.yaml is tuned.")
    var config = "Config"

    @Option(help: "Prompt folder with one subfolder per language (en, zh), for validating the menu.")
    var prompts = "Prompts"

    @OptionGroup var keywords: KeywordOptions

    @Option(help: "Largest share of files given an intent they do not have.")
    var maxFalseAccepts = 0.05

    @Flag(help: "Write the tuned thresholds into the menu (without it only the diff is printed).")
    var write = false

    /// One labelled corpus file.
    struct Label {
        var file: String
        var intent: String?
        var keyword: String?
    }

    func validate() throws {
        guard maxFalseAccepts >= 0, maxFalseAccepts < 1 else {
            throw ValidationError("--max-false-accepts must be in 0..<1 (got \(maxFalseAccepts))")
        }
    }

    func run() async throws {
        guard let spotter = try keywords.spotter() else {
            throw ValidationError("no keyword model at \(keywords.keywordModel) (make train-keywords)")
        }
        let menuPath = (config as NSString).appendingPathComponent("menu.yaml")
        let menu = try MenuFileOptions.parse(["--menu", menuPath, "--prompts", prompts]).loadMenu()
        let vocabulary = SpotterRecognizer.vocabulary(menu.everyIntent(in: .en))
        let live = spotter.liveKeywords(in: vocabulary)
        let labels = try readLabels()

        var samples: [KeywordThresholdTuner.Sample] = []
        for label in labels {
            let path = (corpus as NSString).appendingPathComponent(label.file)
            let clip: AudioClip
            do { clip = try WAVFile.read(path: path).resampled(to: LogMelFeatures.sampleRate) } catch {
                throw ValidationError("\(path): \(error)")
            }
            let scan = KeywordFileScan(clip, spotter: spotter, vocabulary: vocabulary)
            samples.append(.init(intent: label.intent, tops: scan.tops.map {
                .init(intent: $0.intent, phrase: $0.phrase, posterior: $0.posterior)
            }))
        }
        let before = Dictionary(uniqueKeysWithValues: live.map {
            ($0.phrase, spotter.threshold(intent: $0.intent, phrase: $0.phrase, in: vocabulary))
        })
        let tuner = KeywordThresholdTuner(samples: samples)
        let after = tuner.tune(start: before, maxFalseAcceptRate: maxFalseAccepts)
        try report(live: live, labels: labels, tuner: tuner, before: before, after: after, spotter: spotter)

        // The menu change: per intent, the English phrases whose threshold is not the global one.
        var changes: [String: [Language: [String: Double]]] = [:]
        for intent in menu.intents {
            let tuned = live.filter { $0.intent == intent.name }.reduce(into: [String: Double]()) { map, keyword in
                if let t = after[keyword.phrase], abs(t - spotter.threshold) > 1e-9 { map[keyword.phrase] = t }
            }
            if tuned != intent.thresholds[.en] ?? [:] { changes[intent.name] = [.en: tuned] }
        }
        let original = try readText(menuPath)
        let edited: String
        switch MenuThresholdEditor.apply(changes, to: original, file: menuPath) {
        case .success(let text): edited = text
        case .failure(let problems): throw ValidationError(problems.description)
        }
        if case .failure(let problems) = MenuLoader.load(yaml: edited, file: menuPath) {
            throw ValidationError("the tuned menu would not load (not written):\n\(problems)")
        }
        let diff = try unifiedDiff(original, edited, name: menuPath)
        FileHandle.standardError.write(Data((diff.isEmpty ? "tune-keywords: \(menuPath) unchanged\n" : diff).utf8))
        if write, !diff.isEmpty {
            try edited.write(toFile: menuPath, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("tune-keywords: wrote \(menuPath)\n".utf8))
        } else if !diff.isEmpty {
            FileHandle.standardError.write(Data("tune-keywords: \(menuPath) not changed (--write applies the diff)\n".utf8))
        }
        let outcome = (tuner.evaluate(before), tuner.evaluate(after))
        try printJSON([
            "summary": true, "files": samples.count, "keyword_files": outcome.0.keywordFiles,
            "accuracy_before": rounded(outcome.0.accuracy), "accuracy": rounded(outcome.1.accuracy),
            "false_accept_rate_before": rounded(outcome.0.falseAcceptRate), "false_accept_rate": rounded(outcome.1.falseAcceptRate),
            "max_false_accepts": maxFalseAccepts, "menu": menuPath, "changed": !diff.isEmpty, "written": write && !diff.isEmpty,
        ])
    }

    /// The non-DTMF files of labels.jsonl.
    func readLabels() throws -> [Label] {
        let path = (corpus as NSString).appendingPathComponent("labels.jsonl")
        var labels: [Label] = []
        for (n, line) in try readText(path).split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let file = object["file"] as? String, let kind = object["kind"] as? String else {
                throw ValidationError("\(path):\(n + 1): not a label object with 'file' and 'kind'")
            }
            guard kind != "dtmf" else { continue }
            let intent = object["intent"] as? String
            labels.append(Label(file: file, intent: kind == "keyword" && intent != "none" ? intent : nil,
                                keyword: object["keyword"] as? String))
        }
        guard !labels.isEmpty else { throw ValidationError("\(path): no spoken files to tune on") }
        return labels
    }

    /// Per phrase: threshold, right intents on the files that say it, false accepts it causes.
    func report(live: [(unit: Int, intent: String, phrase: String)], labels: [Label], tuner: KeywordThresholdTuner,
                before: [String: Double], after: [String: Double], spotter: NeuralKeywordSpotter) throws {
        // The live phrase that stands for each file's spoken keyword (the unit serving it).
        let spoken = labels.map { label in
            label.keyword.flatMap { spotter.model.unit(for: $0) }.flatMap { unit in live.first { $0.unit == unit }?.phrase }
        }
        func padded(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var table = padded("phrase", 21) + padded("intent", 13) + "threshold       right (files)   false accepts\n"
        for keyword in live {
            var right = (0, 0), wrong = (0, 0), files = 0
            for (sample, phrase) in zip(tuner.samples, spoken) {
                let decided = (KeywordThresholdTuner.decision(sample, before), KeywordThresholdTuner.decision(sample, after))
                if phrase == keyword.phrase {
                    files += 1
                    if decided.0?.intent == sample.intent { right.0 += 1 }
                    if decided.1?.intent == sample.intent { right.1 += 1 }
                }
                if decided.0?.phrase == keyword.phrase, decided.0?.intent != sample.intent { wrong.0 += 1 }
                if decided.1?.phrase == keyword.phrase, decided.1?.intent != sample.intent { wrong.1 += 1 }
            }
            let (t0, t1) = (before[keyword.phrase] ?? 0, after[keyword.phrase] ?? 0)
            table += padded(keyword.phrase, 21) + padded(keyword.intent, 13)
                + String(format: "%.2f -> %.2f %6d -> %3d (%3d) %5d -> %3d\n", t0, t1, right.0, right.1, files, wrong.0, wrong.1)
            try printJSON(["phrase": keyword.phrase, "intent": keyword.intent, "threshold_before": rounded(t0),
                           "threshold": rounded(t1), "files": files, "right_before": right.0, "right": right.1,
                           "false_accepts_before": wrong.0, "false_accepts": wrong.1])
        }
        let (o0, o1) = (tuner.evaluate(before), tuner.evaluate(after))
        table += String(format: "all: intent accuracy %.3f -> %.3f (%d keyword files), false accepts %d -> %d of %d files (%.3f -> %.3f; limit %.3f)\n",
                        o0.accuracy, o1.accuracy, o0.keywordFiles, o0.falseAccepts, o1.falseAccepts, o0.files,
                        o0.falseAcceptRate, o1.falseAcceptRate, maxFalseAccepts)
        FileHandle.standardError.write(Data(table.utf8))
    }

    /// `diff -u` of the menu before and after ("" when equal).
    func unifiedDiff(_ old: String, _ new: String, name: String) throws -> String {
        guard old != new else { return "" }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vg-tune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (a, b) = (dir.appendingPathComponent("a").path, dir.appendingPathComponent("b").path)
        try old.write(toFile: a, atomically: true, encoding: .utf8)
        try new.write(toFile: b, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["diff", "-u", "--label", name, "--label", name + " (tuned)", a, b]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 1 else { throw ValidationError("diff failed (exit \(process.terminationStatus))") }
        return String(decoding: data, as: UTF8.self)
    }

    func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
