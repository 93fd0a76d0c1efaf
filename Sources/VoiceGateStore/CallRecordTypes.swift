public import Foundation
public import VoiceGateDialog

/// How a stored call ended: the engine's `CallOutcome` plus `interrupted` (the gateway stopped
/// or crashed while the call ran). The mapping is in `OutcomeRule` and docs/records.md.
public enum RecordedOutcome: String, Sendable, Codable, CaseIterable, Equatable {
    /// At least one service was completed in the IVR and no transfer followed.
    case selfServed = "self_served"
    /// The call went to an agent queue and the transfer was not reported failed.
    case transferred
    /// The caller hung up before any service was completed.
    case abandoned
    /// The IVR ended the call unserved, media stopped, or the transfer failed.
    case failed
    /// The gateway stopped (crash, kill) before the call ended; set when the store reopens.
    case interrupted

    /// The stored outcome of an engine outcome.
    public init(_ outcome: CallOutcome) {
        switch outcome {
        case .selfServed: self = .selfServed
        case .transferred: self = .transferred
        case .abandoned: self = .abandoned
        case .failed: self = .failed
        }
    }
}

/// What is known when a call starts: the row written before its first event.
public struct CallStart: Sendable, Equatable {
    /// SIP Call-ID or simulate id: the key of the call everywhere.
    public var callID: String
    /// When the dialog started.
    public var startedAt: Date
    /// The caller's number (ANI).
    public var callerNumber: String
    /// The number dialled.
    public var calledNumber: String
    /// The language the call starts in (the menu's default).
    public var language: String
    /// `menu_versions.id` of the menu the call runs, if registered.
    public var menuVersion: Int64?

    /// A call start; see the properties.
    public init(callID: String, startedAt: Date, callerNumber: String, calledNumber: String, language: String,
                menuVersion: Int64? = nil) {
        self.callID = callID
        self.startedAt = startedAt
        self.callerNumber = callerNumber
        self.calledNumber = calledNumber
        self.language = language
        self.menuVersion = menuVersion
    }
}

/// How a call ended, written with its last events in one transaction.
public struct CallEnd: Sendable, Equatable {
    /// When it ended.
    public var endedAt: Date
    /// The outcome.
    public var outcome: RecordedOutcome
    /// Why it went (or was to go) to an agent, if it did.
    public var transferReason: String?
    /// A short technical note (`media timeout`, `transfer_failed (NOTIFY sipfrag 486)`).
    public var detail: String?
    /// The language prompts last used (nil: keep the start's).
    public var language: String?

    /// A call end; see the properties.
    public init(endedAt: Date, outcome: RecordedOutcome, transferReason: String? = nil, detail: String? = nil,
                language: String? = nil) {
        self.endedAt = endedAt
        self.outcome = outcome
        self.transferReason = transferReason
        self.detail = detail
        self.language = language
    }
}

/// One row of `calls`.
public struct CallRecord: Sendable, Equatable {
    /// The call id.
    public var id: String
    /// When it started.
    public var startedAt: Date
    /// When it ended; nil while it runs.
    public var endedAt: Date?
    /// The caller's number.
    public var callerNumber: String
    /// The number dialled.
    public var calledNumber: String
    /// The language prompts last used.
    public var language: String
    /// `menu_versions.id`, if known.
    public var menuVersion: Int64?
    /// The outcome; nil while the call runs.
    public var outcome: RecordedOutcome?
    /// Why it went to an agent.
    public var transferReason: String?
    /// A short technical note about the end.
    public var endDetail: String?
}

/// Which calls `CallStore.calls(filter:)` returns; nil fields do not filter.
public struct CallFilter: Sendable, Equatable {
    /// Calls that started at or after this time.
    public var startedFrom: Date?
    /// Calls that started before this time.
    public var startedBefore: Date?
    /// Calls with this outcome.
    public var outcome: RecordedOutcome?
    /// Calls from this number (exact match).
    public var callerNumber: String?
    /// Calls with at least one event in this node.
    public var node: String?
    /// At most this many calls, newest first.
    public var limit: Int
    /// Skip this many matching calls first (the console's pages).
    public var offset: Int

    /// A filter; by default the 100 newest calls.
    public init(startedFrom: Date? = nil, startedBefore: Date? = nil, outcome: RecordedOutcome? = nil,
                callerNumber: String? = nil, node: String? = nil, limit: Int = 100, offset: Int = 0) {
        self.startedFrom = startedFrom
        self.startedBefore = startedBefore
        self.outcome = outcome
        self.callerNumber = callerNumber
        self.node = node
        self.limit = limit
        self.offset = offset
    }
}

/// One row of `transfers`.
public struct TransferRecord: Sendable, Equatable {
    /// The call.
    public var callID: String
    /// The agent queue.
    public var queue: String
    /// Why.
    public var reason: String
    /// Queue priority.
    public var priority: Int
    /// What the agent gets.
    public var context: TransferContext
    /// When the IVR decided the transfer.
    public var createdAt: Date
}
