import VoiceGateDialog

/// The store's own guard on caller secrets. The engine already masks keys typed in masked
/// nodes (PIN, last 4) at the source and keeps only `****` in transfer contexts; this applies
/// the same rule again to whatever reaches the database, so an engine bug or a hand-made
/// event cannot put a PIN on disk: a key marked `masked` is stored as `*`, and every masked
/// field of a context as one `*` per character.
enum EventPrivacy {
    /// `event` with every masked value replaced by `*`.
    static func masked(_ event: TraceEvent) -> TraceEvent {
        var safe = event
        switch event.detail {
        case let .dtmf(digit, masked, typeAhead) where masked && digit != "*":
            safe.detail = .dtmf(digit: "*", masked: true, typeAhead: typeAhead)
        case let .transfer(queue, reason, priority, context):
            safe.detail = .transfer(queue: queue, reason: reason, priority: priority, context: masked(context))
        default:
            break
        }
        return safe
    }

    /// `context` with masked fields as stars only.
    static func masked(_ context: TransferContext) -> TransferContext {
        var safe = context
        safe.maskedFields = context.maskedFields.mapValues { String(repeating: "*", count: $0.count) }
        return safe
    }
}
