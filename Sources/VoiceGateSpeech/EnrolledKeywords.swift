public import Foundation

/// Phrases added to a keyword model without retraining (query by example), as written by
/// `voicegate enroll-keywords` (format "voicegate-enrolled-keywords/1"): per phrase, spoken
/// examples as trunk embeddings (`KeywordEmbedding`) and the distance threshold calibrated on
/// sentences that do not contain it. Valid only for the model whose `fingerprint` it records.
public struct EnrolledKeywords: Sendable, Equatable {
    /// One enrolled phrase.
    public struct Phrase: Sendable, Equatable {
        /// The phrase as written in the menu.
        public var phrase: String
        /// Largest mean template distance (see `KeywordTemplateMatcher`) that is accepted.
        public var threshold: Float
        /// Distance over which the confidence falls from 0.73 to 0.27 around the threshold.
        public var scale: Float
        /// The spoken examples.
        public var templates: [KeywordEmbedding]
        /// Where each template came from ("espeak-ng en-us+m2 160 wpm pitch 40: …", a WAV path).
        public var sources: [String]

        /// A phrase with every field given.
        public init(phrase: String, threshold: Float, scale: Float, templates: [KeywordEmbedding], sources: [String]) {
            self.phrase = phrase
            self.threshold = threshold
            self.scale = scale
            self.templates = templates
            self.sources = sources
        }
    }

    /// The language of the phrases (the model's).
    public var language: String
    /// `KeywordModel.fingerprint` of the model whose trunk made the templates.
    public var modelFingerprint: String
    /// The enrolled phrases.
    public var phrases: [Phrase]

    /// Enrolled phrases for a model.
    public init(language: String, modelFingerprint: String, phrases: [Phrase]) {
        self.language = language
        self.modelFingerprint = modelFingerprint
        self.phrases = phrases
    }

    /// The enrolled entry for `phrase` (compared as the model compares phrases).
    public func phrase(_ phrase: String) -> Phrase? {
        let p = KeywordModel.normalised(phrase)
        return phrases.first { KeywordModel.normalised($0.phrase) == p }
    }

    /// The default file for `language` next to the menu: `<menu folder>/enrolled-keywords-<language>.json`.
    public static func defaultPath(menuFile: String, language: String) -> String {
        let folder = (menuFile as NSString).deletingLastPathComponent
        return (folder as NSString).appendingPathComponent("enrolled-keywords-\(language).json")
    }

    // MARK: File format

    private struct File: Codable {
        struct FilePhrase: Codable {
            var phrase: String
            var threshold: Float
            var scale: Float
            var templates: [FileTemplate]
        }
        struct FileTemplate: Codable {
            var source: String
            var steps: Int
            var values: String
        }
        var format: String
        var note: String?
        var language: String
        var model: String
        var channels: Int
        var phrases: [FilePhrase]
    }

    /// Why an enrolled-keywords file could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        /// What is wrong, for the operator.
        public var description: String
    }

    /// Loads the file at `path` and checks that it was made for `model`.
    public init(contentsOf path: String, model: KeywordModel) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "\(path): cannot read the enrolled keywords")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw LoadError(description: "\(path): not an enrolled-keywords file (\(error))")
        }
        guard file.format == "voicegate-enrolled-keywords/1" else {
            throw LoadError(description: "\(path): unsupported format \(file.format)")
        }
        guard file.model == model.fingerprint, file.language == model.language else {
            throw LoadError(description: "\(path): made for another keyword model (\(file.language) \(file.model), loaded \(model.language) \(model.fingerprint)); run `voicegate enroll-keywords` again")
        }
        language = file.language
        modelFingerprint = file.model
        phrases = try file.phrases.map { p in
            let templates = try p.templates.map { t -> KeywordEmbedding in
                guard let values = Self.floats(t.values), values.count == t.steps * file.channels, t.steps > 0 else {
                    throw LoadError(description: "\(path): a template of '\(p.phrase)' has inconsistent shapes")
                }
                return KeywordEmbedding(channels: file.channels, steps: t.steps, values: values)
            }
            return Phrase(phrase: p.phrase, threshold: p.threshold, scale: p.scale, templates: templates,
                          sources: p.templates.map(\.source))
        }
    }

    /// The file's JSON text (templates as base64 little-endian float32).
    public func json() throws -> Data {
        let channels = phrases.first?.templates.first?.channels ?? 0
        let file = File(
            format: "voicegate-enrolled-keywords/1",
            note: "made by `voicegate enroll-keywords`; re-run it after changing the menu, the recordings or the model",
            language: language, model: modelFingerprint, channels: channels,
            phrases: phrases.map { p in
                File.FilePhrase(phrase: p.phrase, threshold: p.threshold, scale: p.scale,
                                templates: zip(p.templates, p.sources).map { t, source in
                                    File.FileTemplate(source: source, steps: t.steps, values: Self.base64(t.values))
                                })
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(file)
    }

    private static func base64(_ values: [Float]) -> String {
        var bytes = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes.base64EncodedString()
    }

    private static func floats(_ base64: String) -> [Float]? {
        guard let bytes = Data(base64Encoded: base64), bytes.count % 4 == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
