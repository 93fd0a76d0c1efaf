import Yams

/// Writes tuned keyword thresholds into the menu's text as a small, reviewable change: each
/// changed intent gets one `thresholds: {en: {"phrase": 0.35}}` line at the end of its block
/// (or its existing `thresholds:` entry is replaced); every other line, comment and the order
/// stay as they were. `voicegate tune-keywords` uses it.
public enum MenuThresholdEditor {
    /// `yaml` with intents' thresholds set: per intent, per language the complete new map
    /// (phrase → threshold; an empty map removes that language). Languages not given keep
    /// their thresholds. Fails when the file does not parse or an intent is not a block mapping
    /// under `intents:` (a one-line `{en: [...]}` intent cannot get a line of its own).
    public static func apply(_ changes: [String: [Language: [String: Double]]], to yaml: String,
                             file: String) -> Result<String, ConfigProblems> {
        var reading = YAMLReading(file: file)
        guard let root = reading.compose(yaml) else { return .failure(ConfigProblems(reading.problems)) }
        guard case .mapping(let top) = root,
              let intentsNode = top.first(where: { $0.key.scalar?.string == "intents" })?.value,
              case .mapping(let intents) = intentsNode else {
            return .failure(ConfigProblems([ConfigProblem(reading.location(root), "no 'intents:' mapping to write thresholds into")]))
        }
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Edits from the bottom up, so earlier line numbers stay valid.
        var edits: [(first: Int, last: Int, replacement: [String])] = []
        var problems: [ConfigProblem] = []
        for (intent, byLanguage) in changes {
            guard let pair = intents.first(where: { $0.key.scalar?.string == intent }) else {
                problems.append(ConfigProblem(reading.location(intentsNode), "intent '\(intent)' is not in the menu"))
                continue
            }
            guard case .mapping(let body) = pair.value, let firstKey = body.first?.key,
                  let keyLine = pair.key.mark?.line, let bodyLine = firstKey.mark?.line, bodyLine > keyLine else {
                problems.append(ConfigProblem(reading.location(pair.key),
                                              "intent '\(intent)' is not written as a block (one line per language); thresholds cannot be added to it"))
                continue
            }
            let indent = String(repeating: " ", count: firstKey.mark.map { $0.column - 1 } ?? 4)
            var merged: [Language: [String: Double]] = [:]
            let existing = body.first { $0.key.scalar?.string == "thresholds" }
            if let existing, case .mapping(let languages) = existing.value {
                for language in languages {
                    guard let lang = language.key.scalar.flatMap({ Language(rawValue: $0.string) }),
                          case .mapping(let entries) = language.value else { continue }
                    for entry in entries {
                        if let phrase = entry.key.scalar?.string, let value = entry.value.scalar.flatMap({ Double($0.string) }) {
                            merged[lang, default: [:]][phrase] = value
                        }
                    }
                }
            }
            for (lang, map) in byLanguage { merged[lang] = map.isEmpty ? nil : map }
            let replacement = merged.isEmpty ? [] : [indent + "thresholds: " + flow(merged)]
            if let existing, let line = existing.key.mark?.line {
                edits.append((line - 1, blockEnd(lines, from: line - 1), replacement))
            } else if let line = pair.key.mark?.line, !replacement.isEmpty {
                let end = blockEnd(lines, from: line - 1)
                edits.append((end + 1, end, replacement))
            }
        }
        guard problems.isEmpty else { return .failure(ConfigProblems(problems)) }
        for edit in edits.sorted(by: { $0.first > $1.first }) {
            lines.replaceSubrange(edit.first..<(edit.last + 1), with: edit.replacement)
        }
        return .success(lines.joined(separator: "\n"))
    }

    /// The last line (0-based) of the block whose key is on line `start`: the lines after it
    /// indented deeper, not counting trailing blank or comment lines (they belong to what follows).
    static func blockEnd(_ lines: [String], from start: Int) -> Int {
        func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        let keyIndent = indentation(lines[start])
        var last = start
        var i = start + 1
        while i < lines.count {
            let trimmed = lines[i].drop { $0 == " " }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { i += 1; continue }
            if indentation(lines[i]) <= keyIndent { break }
            last = i
            i += 1
        }
        return last
    }

    /// `{en: {"lost card": 0.35, ...}}`, languages and phrases in a stable order.
    static func flow(_ thresholds: [Language: [String: Double]]) -> String {
        let languages = thresholds.keys.sorted { $0.rawValue < $1.rawValue }.map { lang in
            let entries = thresholds[lang]!.sorted { $0.key < $1.key }.map { "\(quoted($0.key)): \(formatted($0.value))" }
            return "\(lang.rawValue): {\(entries.joined(separator: ", "))}"
        }
        return "{\(languages.joined(separator: ", "))}"
    }

    /// A phrase as a double-quoted YAML string.
    static func quoted(_ phrase: String) -> String {
        var out = "\""
        for c in phrase {
            if c == "\\" || c == "\"" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }

    /// A threshold with two decimals (the tuner's grid is coarser).
    static func formatted(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
