public import Foundation
import VoiceGateDSP

/// The trained keyword network and what its classes mean, loaded from the JSON file that
/// `scripts/keywords/train.py` writes (`Models/keywords-en.json`; format "voicegate-keywords/1").
///
/// Each class but the last ("none") is a *unit*: a keyword phrase with its aliases. Menu
/// phrases are mapped onto units (`unit(for:)`), so ops can wrap a unit in more words in the
/// menu ("check my balance" is served by "balance") without retraining.
///
/// A model may be an ensemble: the file's own network plus the networks in its optional
/// `ensemble` list (same classes, each with its own features and layers; written by
/// `scripts/keywords/ensemble.py`). The spotter averages their posteriors.
public struct KeywordModel: Sendable {
    /// One convolution layer of the network (batch norm already folded in).
    struct Layer: Sendable {
        var input: Int, output: Int, kernel: Int, stride: Int, dilation: Int
        var residual: Bool, relu: Bool
        /// `[output][input][kernel]`, row-major.
        var weights: [Float]
        var bias: [Float]
    }

    /// Why a model file could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        /// What is wrong, for the operator.
        public var description: String
    }

    /// The language the model was trained for ("en", "zh").
    public let language: String
    /// Class names; the last is "none".
    public let classes: [String]
    /// Per class (except "none"): the phrases it was trained on, normalised.
    public let unitPhrases: [[String]]
    /// Default acceptance threshold on the posterior (tuned on the tuning corpus seed).
    public let threshold: Double

    /// One trained network: its feature normalisation and its layers.
    struct Network: Sendable {
        /// How the features are normalised over an utterance (as in its training).
        var normalisation: KeywordFeatures.Normalisation
        var layers: [Layer]
    }

    /// The networks whose posteriors are averaged; the first is the file's own (its trunk
    /// also gives the embeddings of enrolled phrases).
    let networks: [Network]

    /// The first network's layers.
    var layers: [Layer] { networks[0].layers }
    /// The first network's feature normalisation.
    var normalisation: KeywordFeatures.Normalisation { networks[0].normalisation }

    private struct File: Decodable {
        struct FileLayer: Decodable {
            var input: Int, output: Int, kernel: Int, stride: Int, dilation: Int
            var residual: Bool, relu: Bool
            var weights: String, bias: String
        }
        struct FileFeatures: Decodable {
            var normalise: String?
            var variance_floor: Float?
        }
        struct Member: Decodable {
            var features: FileFeatures?
            var layers: [FileLayer]
        }
        var format: String
        var features: FileFeatures?
        var language: String
        var classes: [String]
        var units: [String: [String]]
        var threshold: Double
        var layers: [FileLayer]
        var ensemble: [Member]?
    }

    /// Loads the model at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "\(path): cannot read the keyword model")
        }
        try self.init(json: data, name: path)
    }

    /// Decodes a model from its JSON text; `name` appears in errors.
    public init(json: Data, name: String = "keyword model") throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch {
            throw LoadError(description: "\(name): not a keyword model (\(error))")
        }
        guard file.format == "voicegate-keywords/1", file.classes.last == "none", !file.layers.isEmpty else {
            throw LoadError(description: "\(name): unsupported format \(file.format)")
        }
        language = file.language
        classes = file.classes
        unitPhrases = file.classes.dropLast().map { unit in
            (file.units[unit] ?? [unit]).map(Self.normalised)
        }
        threshold = file.threshold
        let members = [File.Member(features: file.features, layers: file.layers)] + (file.ensemble ?? [])
        networks = try members.enumerated().map { index, member in
            try Self.network(member, classes: file.classes.count, name: index == 0 ? name : "\(name), ensemble member \(index)")
        }
    }

    /// A member's network, its shapes checked against the features and the classes.
    private static func network(_ member: File.Member, classes: Int, name: String) throws -> Network {
        let normalisation: KeywordFeatures.Normalisation
        switch member.features?.normalise ?? "per-band mean" {
        case "per-band mean": normalisation = .mean
        case "per-band mean and variance": normalisation = .meanAndVariance(floor: member.features?.variance_floor ?? 1e-2)
        case let other: throw LoadError(description: "\(name): unknown feature normalisation '\(other)'")
        }
        guard !member.layers.isEmpty else { throw LoadError(description: "\(name): no layers") }
        var layers: [Layer] = []
        var channels = LogMelFeatures.bandCount
        for l in member.layers {
            guard let w = Self.floats(l.weights), let b = Self.floats(l.bias),
                  w.count == l.output * l.input * l.kernel, b.count == l.output, l.input == channels,
                  l.kernel % 2 == 1, !l.residual || l.input == l.output else {
                throw LoadError(description: "\(name): layer \(layers.count) has inconsistent shapes")
            }
            layers.append(Layer(input: l.input, output: l.output, kernel: l.kernel, stride: l.stride,
                                dilation: l.dilation, residual: l.residual, relu: l.relu, weights: w, bias: b))
            channels = l.output
        }
        guard channels == classes else {
            throw LoadError(description: "\(name): the last layer has \(channels) outputs for \(classes) classes")
        }
        return Network(normalisation: normalisation, layers: layers)
    }


    /// The class that serves `phrase`: a unit whose phrase equals it, else the longest unit
    /// phrase contained in it as whole words; nil when the model cannot hear it. Chinese is
    /// written without spaces, so a unit phrase in ideographs is matched on characters
    /// ("账户余额" is served by "余额").
    public func unit(for phrase: String) -> Int? {
        let p = Self.normalised(phrase)
        if let exact = unitPhrases.firstIndex(where: { $0.contains(p) }) { return exact }
        var best: (index: Int, length: Int)?
        let padded = " \(p) "
        let unspaced = p.replacingOccurrences(of: " ", with: "")
        for (i, phrases) in unitPhrases.enumerated() {
            for u in phrases where u.count > (best?.length ?? 0) {
                let contained = Self.isIdeographic(u) ? unspaced.contains(u) : padded.contains(" \(u) ")
                if contained { best = (i, u.count) }
            }
        }
        return best?.index
    }

    /// Whether `text` is written in ideographs (Chinese), where words are not spaced.
    static func isIdeographic(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.isIdeographic }
    }

    /// Lower case, letters, digits and single spaces: how phrases are compared.
    static func normalised(_ text: String) -> String {
        let kept = text.lowercased().map { $0.isLetter || $0.isNumber || $0 == "'" ? $0 : " " }
        return String(kept).split(separator: " ").joined(separator: " ")
    }

    private static func floats(_ base64: String) -> [Float]? {
        guard let bytes = Data(base64Encoded: base64), bytes.count % 4 == 0 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
