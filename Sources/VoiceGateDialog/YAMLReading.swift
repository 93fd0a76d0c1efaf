import Yams

/// Reads a YAML text into Yams nodes and turns libyaml errors into `ConfigProblem`s with
/// the file's line and column. Shared by the menu, prompt and server-config readers.
struct YAMLReading {
    /// The file name used in problems.
    let file: String
    /// Problems found so far.
    var problems: [ConfigProblem] = []

    init(file: String) { self.file = file }

    /// Parses `yaml`; returns nil (with a problem) on a syntax error or an empty document.
    mutating func compose(_ yaml: String) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: yaml) else {
                report(nil, "the file is empty")
                return nil
            }
            return root
        } catch let error as YamlError {
            problems.append(Self.problem(for: error, file: file))
            return nil
        } catch {
            report(nil, "cannot read YAML: \(error)")
            return nil
        }
    }

    /// A problem for a libyaml error at the position libyaml gives.
    static func problem(for error: YamlError, file: String) -> ConfigProblem {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let text = context.map { "\(problem) (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? problem
            return ConfigProblem(at(mark), "YAML syntax error: \(text)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigProblem(at(context.mark), "duplicate key(s) \(duplicates.joined(separator: ", ")) in this mapping")
        case let .reader(problem, _, _, _):
            return ConfigProblem(SourceLocation(file: file, line: 1, column: 1), "cannot read the file: \(problem)")
        default:
            return ConfigProblem(SourceLocation(file: file, line: 1, column: 1), "YAML error: \(error)")
        }
    }

    /// The location of `node` (1:1 when unknown).
    func location(_ node: Node?) -> SourceLocation {
        let mark = node?.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Records a problem at `node`.
    mutating func report(_ node: Node?, _ message: String) {
        problems.append(ConfigProblem(location(node), message))
    }

    /// The pairs of a mapping node with string keys, or nil with a problem.
    mutating func mapping(_ node: Node, _ what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let map) = node else {
            report(node, "\(what) must be a mapping")
            return nil
        }
        return map.map { (key: $0.key.scalar?.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    /// Reports keys of `pairs` that are not in `known`.
    mutating func checkKeys(_ pairs: [(key: String, keyNode: Node, value: Node)], known: Set<String>, in what: String) {
        for pair in pairs where !known.contains(pair.key) {
            report(pair.keyNode, "unknown field '\(pair.key)' in \(what)")
        }
    }

    /// A scalar string, or nil with a problem.
    mutating func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(node, "\(what) must be a non-empty string")
            return nil
        }
        return scalar.string
    }

    /// A non-negative integer, or nil with a problem.
    mutating func nonNegativeInt(_ node: Node, _ what: String) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            report(node, "\(what) must be an integer")
            return nil
        }
        guard value >= 0 else {
            report(node, "\(what) must not be negative (got \(value))")
            return nil
        }
        return value
    }

    /// A boolean (`true`/`false`/`yes`/`no`), or nil with a problem.
    mutating func bool(_ node: Node, _ what: String) -> Bool? {
        if case .scalar(let scalar) = node {
            switch scalar.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        report(node, "\(what) must be true or false")
        return nil
    }

    /// A list of strings (a single string counts as a list of one), or nil with a problem.
    mutating func strings(_ node: Node, _ what: String) -> [(String, Node)]? {
        switch node {
        case .scalar: return string(node, what).map { [($0, node)] }
        case .sequence(let seq):
            var out: [(String, Node)] = []
            for item in seq { if let s = string(item, "an item of \(what)") { out.append((s, item)) } }
            return out
        default:
            report(node, "\(what) must be a string or a list of strings")
            return nil
        }
    }
}
