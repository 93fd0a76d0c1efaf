/// What the agent gets with a transferred call, so they never ask again (DESIGN.md
/// section 6). Contains no PIN and no account or card digits: masked fields carry only
/// `****` and the length. JSON keys are snake_case and stable.
public struct TransferContext: Sendable, Equatable, Codable {
    /// One step of the caller's path: a node entered, and the intent that led out of it.
    public struct Step: Sendable, Equatable, Codable {
        /// The node.
        public var node: String
        /// The intent recognised there, if any.
        public var intent: String?
        /// A step.
        public init(node: String, intent: String?) {
            self.node = node
            self.intent = intent
        }
    }
    /// A recognised keyword.
    public struct Keyword: Sendable, Equatable, Codable {
        /// The intent.
        public var intent: String
        /// The phrase heard (nil for keys).
        public var phrase: String?
        /// Spotter confidence 0...1 (1 for keys).
        public var confidence: Double
        /// Speech or DTMF.
        public var source: InputSource
        /// A keyword.
        public init(intent: String, phrase: String?, confidence: Double, source: InputSource) {
            self.intent = intent
            self.phrase = phrase
            self.confidence = confidence
            self.source = source
        }
    }
    /// No-input and no-match counts of one node over the call.
    public struct FailureCount: Sendable, Equatable, Codable {
        /// No-inputs.
        public var noinput: Int
        /// No-matches.
        public var nomatch: Int
        /// Counts.
        public init(noinput: Int = 0, nomatch: Int = 0) {
            self.noinput = noinput
            self.nomatch = nomatch
        }
    }

    /// The call id.
    public var callID: String
    /// The caller's number (ANI).
    public var ani: String
    /// The language the caller used.
    public var language: Language
    /// Nodes and intents, in order.
    public var intentPath: [Step]
    /// Every keyword recognised, with confidence.
    public var keywords: [Keyword]
    /// Whether the caller passed identification.
    public var verified: Bool
    /// Masked entries by name: `"****"` (one `*` per digit), never the digits.
    public var maskedFields: [String: String]
    /// Failure counts per node over the call.
    public var failureCounts: [String: FailureCount]
    /// Failed identification attempts.
    public var identificationFailures: Int
    /// Whether the caller showed frustration (asked twice, raised voice).
    public var frustration: Bool
    /// Whether the caller has the assisted profile.
    public var assisted: Bool
    /// Milliseconds from call start to the transfer.
    public var timeInIVRMs: Int64
    /// Why the call is transferred (`agent_request`, `max_failures`, `identification_failed`, ...).
    public var reason: String
    /// The agent queue.
    public var queue: String
    /// Queue priority; higher is served first.
    public var priority: Int

    enum CodingKeys: String, CodingKey {
        case callID = "call_id", ani, language, intentPath = "intent_path", keywords, verified
        case maskedFields = "masked_fields", failureCounts = "failure_counts"
        case identificationFailures = "identification_failures", frustration, assisted
        case timeInIVRMs = "time_in_ivr_ms", reason, queue, priority
    }
}
