extension ExpectedIntent {
    /// An expected intent built outside the engine (keyword tests and tools that list a
    /// node's vocabulary themselves).
    public init(_ intent: String, phrases: [String], dtmf: String? = nil) {
        self.init(intent: intent, phrases: phrases, dtmf: dtmf)
    }
}
