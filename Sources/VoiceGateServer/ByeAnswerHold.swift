public import SIPCore

/// The 200s to callers' BYEs that wait for the call's end to be in the records.
///
/// A caller who hears the 200 to its BYE knows the call is over; if the gateway were killed
/// right then and the end had not reached SQLite, a finished call would come back
/// `interrupted`. So the server holds that 200 until `CallRecorder.endWritten` returns (or
/// a time limit passes, so a stuck writer never keeps a caller's BYE unanswered for long).
/// A BYE retransmitted meanwhile gets nothing: the held 200 answers it when released.
struct ByeAnswerHold<Flow: Sendable>: Sendable {
    /// How long a 200 waits at most for the records (the caller's UA retransmits the BYE at
    /// 0.5, 1.5, 3.5 s, and gives up after 32 s).
    static var limitMilliseconds: Int64 { 4000 }

    private var held: [String: (message: SIPMessage, flow: Flow)] = [:]

    /// Whether `message` is a 2xx to a BYE (the answer that tells the caller the call is over).
    static func isByeSuccess(_ message: SIPMessage) -> Bool {
        guard let status = message.status, (200..<300).contains(status) else { return false }
        return message.cSeq?.method == .bye
    }

    /// Holds `message` for `callID`. False when one is held already for the call (a
    /// retransmission's copy: drop it, the held one goes out on release).
    mutating func hold(_ message: SIPMessage, to flow: Flow, callID: String) -> Bool {
        guard held[callID] == nil else { return false }
        held[callID] = (message, flow)
        return true
    }

    /// The held answer of `callID`, once (the second release of a call finds nothing).
    mutating func release(_ callID: String) -> (message: SIPMessage, flow: Flow)? {
        held.removeValue(forKey: callID)
    }

    /// Every held answer (the server stops: send them before the socket closes).
    mutating func releaseAll() -> [(message: SIPMessage, flow: Flow)] {
        defer { held = [:] }
        return Array(held.values)
    }
}
