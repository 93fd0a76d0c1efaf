import Foundation
public import Hummingbird
public import VoiceGateStore

/// `GET /api/calls/{id}/context`: what the agent's desktop fetches with the key of the SIP
/// `User-to-User` header (the Call-ID): the call's latest transfer context as stored (masked
/// fields stay masked), or 404. Needs the viewer role.
public enum TransferContextRoute {
    /// Adds the route to `router`, reading from `store`.
    public static func install(on router: Router<AdminRequestContext>, store: CallStore) {
        router.get("/api/calls/{id}/context") { _, context in
            try AdminAuth.require(.viewer, context)
            let id = try context.parameters.require("id")
            guard let transfer = try await store.transferContext(callID: id) else {
                return AdminHTTPServer.json(.notFound, #"{"error":"no transfer context for this call"}"#)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return AdminHTTPServer.json(.ok, String(decoding: try encoder.encode(transfer), as: UTF8.self))
        }
    }
}
