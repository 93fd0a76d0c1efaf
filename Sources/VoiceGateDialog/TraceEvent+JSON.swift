import Foundation

/// Trace lines as JSON: `{"t":1.234,"type":"prompt","node":"main_menu","id":"main_menu",...}`.
/// `t` is seconds since call start with millisecond precision. Keys are stable (see the
/// README's trace section); `Codable` reads and writes the same flat keys.
extension TraceEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case t, type, node, id, lang, state, play, digit, masked, typeahead, name, confidence, source
        case count, loud, request, result, queue, reason, priority, context, by, outcome, version, cause
    }

    /// Writes the flat JSON object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Double(atMs) / 1000, forKey: .t)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(node, forKey: .node)
        switch detail {
        case .node: break
        case let .prompt(id, language, state, playID):
            try c.encode(id, forKey: .id); try c.encode(language, forKey: .lang)
            try c.encode(state, forKey: .state); try c.encode(playID, forKey: .play)
            try c.encodeIfPresent(promptVersion, forKey: .version)
        case let .dtmf(digit, masked, typeAhead):
            try c.encode(digit, forKey: .digit); try c.encode(masked, forKey: .masked); try c.encode(typeAhead, forKey: .typeahead)
        case let .intent(name, confidence, source):
            try c.encode(name, forKey: .name); try c.encode(confidence, forKey: .confidence); try c.encode(source, forKey: .source)
        case let .noInput(count):
            try c.encode(count, forKey: .count)
        case let .noMatch(count, loud):
            try c.encode(count, forKey: .count); try c.encode(loud, forKey: .loud)
        case let .lookup(request, result):
            try c.encode(request, forKey: .request); try c.encodeIfPresent(result, forKey: .result)
        case let .transfer(queue, reason, priority, context):
            try c.encode(queue, forKey: .queue); try c.encode(reason, forKey: .reason)
            try c.encode(priority, forKey: .priority); try c.encode(context, forKey: .context)
        case let .hangup(by, outcome):
            try c.encode(by, forKey: .by); try c.encode(outcome, forKey: .outcome)
        case let .bargeIn(cause, id, playID, intent, confidence):
            try c.encode(cause, forKey: .cause); try c.encode(id, forKey: .id); try c.encode(playID, forKey: .play)
            try c.encodeIfPresent(intent, forKey: .name); try c.encodeIfPresent(confidence, forKey: .confidence)
        case let .falseBargeIn(cause, id, playID):
            try c.encode(cause, forKey: .cause); try c.encode(id, forKey: .id); try c.encode(playID, forKey: .play)
        }
    }

    /// Reads a flat JSON object written by `encode(to:)` or `jsonLine()`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        atMs = Int64((try c.decode(Double.self, forKey: .t) * 1000).rounded())
        node = try c.decodeIfPresent(String.self, forKey: .node)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "node": detail = .node
        case "prompt":
            detail = .prompt(id: try c.decode(String.self, forKey: .id), language: try c.decode(Language.self, forKey: .lang),
                             state: try c.decode(PromptState.self, forKey: .state), playID: try c.decode(String.self, forKey: .play))
            promptVersion = try c.decodeIfPresent(Int64.self, forKey: .version)
        case "dtmf":
            detail = .dtmf(digit: try c.decode(String.self, forKey: .digit), masked: try c.decode(Bool.self, forKey: .masked),
                           typeAhead: try c.decodeIfPresent(Bool.self, forKey: .typeahead) ?? false)
        case "intent":
            detail = .intent(name: try c.decode(String.self, forKey: .name), confidence: try c.decode(Double.self, forKey: .confidence),
                             source: try c.decode(InputSource.self, forKey: .source))
        case "noinput": detail = .noInput(count: try c.decode(Int.self, forKey: .count))
        case "nomatch": detail = .noMatch(count: try c.decode(Int.self, forKey: .count), loud: try c.decodeIfPresent(Bool.self, forKey: .loud) ?? false)
        case "lookup": detail = .lookup(request: try c.decode(String.self, forKey: .request), result: try c.decodeIfPresent(String.self, forKey: .result))
        case "transfer":
            detail = .transfer(queue: try c.decode(String.self, forKey: .queue), reason: try c.decode(String.self, forKey: .reason),
                               priority: try c.decode(Int.self, forKey: .priority), context: try c.decode(TransferContext.self, forKey: .context))
        case "hangup": detail = .hangup(by: try c.decode(String.self, forKey: .by), outcome: try c.decode(CallOutcome.self, forKey: .outcome))
        case "bargein":
            detail = .bargeIn(cause: try c.decode(BargeInCause.self, forKey: .cause), id: try c.decode(String.self, forKey: .id),
                              playID: try c.decode(String.self, forKey: .play), intent: try c.decodeIfPresent(String.self, forKey: .name),
                              confidence: try c.decodeIfPresent(Double.self, forKey: .confidence))
        case "false_bargein":
            detail = .falseBargeIn(cause: try c.decode(BargeInCause.self, forKey: .cause), id: try c.decode(String.self, forKey: .id),
                                   playID: try c.decode(String.self, forKey: .play))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown trace type '\(type)'")
        }
    }

    /// One JSON line (no newline) with `t`, `type` and `node` first, for people reading
    /// traces; the other keys follow in a fixed order, the context with sorted keys.
    public func jsonLine() -> String {
        var fields: [(String, String)] = [("t", Self.seconds(atMs)), ("type", Self.quote(type))]
        if let node { fields.append(("node", Self.quote(node))) }
        switch detail {
        case .node: break
        case let .prompt(id, language, state, playID):
            fields += [("id", Self.quote(id)), ("lang", Self.quote(language.rawValue)),
                       ("state", Self.quote(state.rawValue)), ("play", Self.quote(playID))]
            if let promptVersion { fields.append(("version", "\(promptVersion)")) }
        case let .dtmf(digit, masked, typeAhead):
            fields += [("digit", Self.quote(digit)), ("masked", "\(masked)"), ("typeahead", "\(typeAhead)")]
        case let .intent(name, confidence, source):
            fields += [("name", Self.quote(name)), ("confidence", Self.number(confidence)), ("source", Self.quote(source.rawValue))]
        case let .noInput(count):
            fields.append(("count", "\(count)"))
        case let .noMatch(count, loud):
            fields += [("count", "\(count)"), ("loud", "\(loud)")]
        case let .lookup(request, result):
            fields.append(("request", Self.quote(request)))
            if let result { fields.append(("result", Self.quote(result))) }
        case let .transfer(queue, reason, priority, context):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let json = (try? encoder.encode(context)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            fields += [("queue", Self.quote(queue)), ("reason", Self.quote(reason)), ("priority", "\(priority)"), ("context", json)]
        case let .hangup(by, outcome):
            fields += [("by", Self.quote(by)), ("outcome", Self.quote(outcome.rawValue))]
        case let .bargeIn(cause, id, playID, intent, confidence):
            fields += [("cause", Self.quote(cause.rawValue)), ("id", Self.quote(id)), ("play", Self.quote(playID))]
            if let intent { fields.append(("name", Self.quote(intent))) }
            if let confidence { fields.append(("confidence", Self.number(confidence))) }
        case let .falseBargeIn(cause, id, playID):
            fields += [("cause", Self.quote(cause.rawValue)), ("id", Self.quote(id)), ("play", Self.quote(playID))]
        }
        return "{" + fields.map { "\(Self.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// Milliseconds as seconds with three decimals, exactly (no floating-point noise).
    static func seconds(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let m = ms.magnitude
        let frac = String(m % 1000)
        return "\(sign)\(m / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }

    /// A finite JSON number (confidences are 0...1).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String((value * 1000).rounded() / 1000)
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
