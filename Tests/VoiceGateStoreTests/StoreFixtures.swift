import Foundation
import VoiceGateDialog
@testable import VoiceGateStore

/// A fresh folder per test with the records file in it; removed when the value goes.
final class TempStoreFile {
    let folder: URL
    var path: String { folder.appendingPathComponent("records.sqlite").path }

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The bytes of the database file and its WAL and shared-memory files, as they are on disk.
    func rawBytes() -> [UInt8] {
        ["", "-wal", "-shm"].flatMap { suffix in
            (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))).map(Array.init) ?? []
        }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}

/// A call start at `at` from the demo caller.
func start(_ id: String, at: Date = Date(), caller: String = "+15550001") -> CallStart {
    CallStart(callID: id, startedAt: at, callerNumber: caller, calledNumber: "+18005550100", language: "en")
}

/// Whether `bytes` contain `text` as a byte sequence.
func contains(_ bytes: [UInt8], _ text: String) -> Bool {
    let needle = Array(text.utf8)
    guard needle.count <= bytes.count else { return false }
    for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] {
        if Array(bytes[i..<i + needle.count]) == needle { return true }
    }
    return false
}

/// A small transfer context (built from its JSON form: the type has no public memberwise init).
func context(callID: String, masked: [String: String] = [:]) -> TransferContext {
    let object: [String: Any] = [
        "call_id": callID, "ani": "+15550001", "language": "en",
        "intent_path": [["node": "main_menu", "intent": "agent"]], "keywords": [], "verified": false,
        "masked_fields": masked, "failure_counts": [:] as [String: Any], "identification_failures": 0,
        "frustration": false, "assisted": false, "time_in_ivr_ms": 4200, "reason": "agent_request",
        "queue": "general", "priority": 0,
    ]
    let data = try! JSONSerialization.data(withJSONObject: object)
    return try! JSONDecoder().decode(TransferContext.self, from: data)
}

/// A fixed instant for retention tests.
let fixedNow = Date(timeIntervalSince1970: 1_795_000_000)

extension Date {
    func daysAgo(_ days: Double) -> Date { addingTimeInterval(-days * 86_400) }
}
