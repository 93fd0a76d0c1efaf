import Yams

/// Reads the prompt ids of a prompt file (`Prompts/<lang>/*.yaml`): the keys of its
/// top-level mapping. Values are left to the prompt layer (fragment files may nest).
public enum PromptIDReader {
    /// The ids in `yaml` with where each is defined, or every problem (syntax errors,
    /// a top level that is not a mapping, duplicate ids).
    public static func ids(yaml: String, file: String) -> Result<[String: SourceLocation], ConfigProblems> {
        var reading = YAMLReading(file: file)
        guard let root = reading.compose(yaml) else { return .failure(ConfigProblems(reading.problems)) }
        guard let pairs = reading.mapping(root, "a prompt file (prompt id -> text)") else {
            return .failure(ConfigProblems(reading.problems))
        }
        var ids: [String: SourceLocation] = [:]
        for pair in pairs {
            guard !pair.key.isEmpty else { reading.report(pair.keyNode, "a prompt id must be a non-empty string"); continue }
            ids[pair.key] = reading.location(pair.keyNode)
        }
        return reading.problems.isEmpty ? .success(ids) : .failure(ConfigProblems(reading.problems))
    }
}
