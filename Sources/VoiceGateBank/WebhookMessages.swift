import Foundation
import VoiceGateDialog

/// The JSON the HTTP webhook bank speaks (docs/bank-webhook.md): one POST body per
/// `BackendRequest`, one answer shape per request type. Kept apart from the transport so the
/// wire format is one readable file.
enum WebhookMessages {
    /// A request body. Absent fields are omitted, and `pin` is present only for `verifyIdentity`.
    struct RequestBody: Encodable, Equatable {
        let type: String
        var callerNumber: String?
        var last4: String?
        var pin: String?
        var accountRef: String?
    }

    /// The body for `request`.
    static func body(for request: BackendRequest) -> RequestBody {
        switch request {
        case .customerProfile(let callerNumber):
            return RequestBody(type: "customerProfile", callerNumber: callerNumber)
        case .verifyIdentity(let callerNumber, let last4, let pin):
            return RequestBody(type: "verifyIdentity", callerNumber: callerNumber, last4: last4, pin: pin)
        case .balance(let accountRef):
            return RequestBody(type: "balance", accountRef: accountRef)
        case .blockCard(let accountRef, let last4):
            return RequestBody(type: "blockCard", last4: last4, accountRef: accountRef)
        case .lastStatement(let accountRef):
            return RequestBody(type: "lastStatement", accountRef: accountRef)
        }
    }

    /// The encoded body (sorted keys, so the bytes are stable for signatures and tests).
    static func encode(_ request: BackendRequest) -> Data? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try? encoder.encode(body(for: request))
    }

    /// Every field any answer may carry; which ones are required depends on the request.
    private struct ResponseBody: Decodable {
        var error: String?
        var known: Bool?
        var assisted: Bool?
        var verified: Bool?
        var accountRef: String?
        var minorUnits: Int64?
        var currency: String?
        var confirmation: String?
        var amountDueMinor: Int64?
        var dueDate: String?
    }

    /// The answer to `request` in `data`, or `.failure(reason: "bad response")` when it is not
    /// JSON or lacks what the request type needs. A bank-side `{"error": ...}` becomes a
    /// failure with the bank's reason, cleaned so that it cannot smuggle digits into traces.
    static func decode(_ data: Data, for request: BackendRequest) -> BackendResult {
        let badResponse = BackendResult.failure(reason: "bad response")
        guard let body = try? JSONDecoder().decode(ResponseBody.self, from: data) else { return badResponse }
        if let error = body.error {
            return .failure(reason: cleanReason(error))
        }
        switch request {
        case .customerProfile:
            guard let known = body.known else { return badResponse }
            return .profile(known: known, assisted: known && (body.assisted ?? false))
        case .verifyIdentity:
            guard let verified = body.verified else { return badResponse }
            guard verified else { return .identity(verified: false, accountRef: nil) }
            guard let ref = body.accountRef, !ref.isEmpty else { return badResponse }
            return .identity(verified: true, accountRef: ref)
        case .balance:
            guard let minorUnits = body.minorUnits, let currency = validCurrency(body.currency) else {
                return badResponse
            }
            return .balance(minorUnits: minorUnits, currency: currency)
        case .blockCard:
            guard let confirmation = body.confirmation, (1...20).contains(confirmation.count),
                  confirmation.allSatisfy({ $0.isASCII && $0.isNumber })
            else { return badResponse }
            return .cardBlocked(confirmation: confirmation)
        case .lastStatement:
            guard let amount = body.amountDueMinor, let currency = validCurrency(body.currency),
                  let date = body.dueDate.flatMap(parseDate)
            else { return badResponse }
            return .statement(amountDueMinor: amount, currency: currency, dueYear: date.year,
                              dueMonth: date.month, dueDay: date.day)
        }
    }

    /// An ISO 4217 code: three ASCII upper-case letters.
    private static func validCurrency(_ code: String?) -> String? {
        guard let code, code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) else { return nil }
        return code
    }

    /// `YYYY-MM-DD` with a plausible month and day.
    private static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return (year, month, day)
    }

    /// Letters, spaces, '_' and '-' only, at most 60 characters: whatever the bank wrote, no PIN
    /// or card digits reach the trace through it.
    static func cleanReason(_ raw: String) -> String {
        let kept = raw.filter { ($0.isASCII && $0.isLetter) || $0 == " " || $0 == "_" || $0 == "-" }
        let trimmed = String(kept.prefix(60)).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? "bank error" : trimmed
    }
}
