public import VoiceGateDialog

/// How a call's stored outcome follows from what happened (docs/records.md):
/// - the engine's `hangup` event decides `self_served` (a service was completed: balance
///   read, card blocked, statement given — whoever hung up afterwards), `abandoned` (the
///   caller hung up before any service completed, with or without an intent recognised) and
///   `failed` (the IVR ended the call without serving, e.g. a hang-up node after errors);
/// - a `transfer` decision is `transferred` unless SIP reports the transfer failed (REFER
///   refused, timed out, NOTIFY with a non-2xx), which makes it `failed`;
/// - no `hangup` event at all (media timeout, the media loop never started the dialog) is
///   `failed`; `interrupted` is only set when the store reopens after a crash.
public enum OutcomeRule {
    /// The stored outcome. `engine` is the outcome of the call's `hangup` event (nil: none);
    /// `transferFailed` whether SIP reported the transfer as failed.
    public static func outcome(engine: CallOutcome?, transferFailed: Bool) -> RecordedOutcome {
        guard let engine else { return .failed }
        if engine == .transferred, transferFailed { return .failed }
        return RecordedOutcome(engine)
    }
}
