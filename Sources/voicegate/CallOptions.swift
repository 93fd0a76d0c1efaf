import ArgumentParser
import Foundation
import VoiceGateBank
import VoiceGateDialog
import VoiceGatePrompts

/// Options of the commands that run a whole call (`simulate`, `console`): who calls, which bank
/// answers, where prompts are cached.
struct CallOptions: ParsableArguments {
    @Option(help: "The caller's number (ANI); the demo bank knows +15550001, +15550002 (assisted), +15550003 and +8613800138000.")
    var callerNumber = "+15550001"

    @Option(help: "The number dialled.")
    var calledNumber = "+18005550100"

    @Option(help: "The embedded demo bank (SQLite), created and seeded if missing.")
    var bank = "var/demo-bank.sqlite"

    @Option(help: "Use the bank's HTTP webhook at this URL instead of the demo bank (docs/bank-webhook.md).")
    var bankURL: String?

    @Option(help: "Prompt render cache.")
    var cache = "var/cache/prompts"

    func validate() throws {
        if let bankURL {
            guard let url = URL(string: bankURL), url.scheme == "http" || url.scheme == "https" else {
                throw ValidationError("--bank-url: '\(bankURL)' is not an http(s) URL")
            }
        }
    }

    /// The call as the engine sees it, with a fresh id starting with `prefix`.
    func call(prefix: String) -> CallInfo {
        CallInfo(callID: "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())",
                 callerNumber: callerNumber, calledNumber: calledNumber)
    }

    /// The bank backend: the webhook when `--bank-url` is given, else the demo bank (opened,
    /// migrated and seeded; close it with `BankConnection.close()`).
    func openBank() async throws -> BankConnection {
        if let bankURL, let url = URL(string: bankURL) {
            return BankConnection(backend: HTTPWebhookBank(url: url), demo: nil)
        }
        try FileManager.default.createDirectory(atPath: (bank as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let demo = try SQLiteDemoBank(path: bank)
        try await demo.seed()
        return BankConnection(backend: demo, demo: demo)
    }

    /// The prompt renderer over `prompts` with this cache.
    func openPrompts(_ prompts: String) throws -> PromptRenderer {
        try PromptLibrary.open(promptsFolder: prompts, cacheFolder: cache)
    }
}

/// An open bank backend; the demo bank's file is closed by `close()`.
struct BankConnection {
    /// What the engine's lookups go to.
    let backend: any BankBackend
    /// The embedded demo bank, when it is the backend.
    let demo: SQLiteDemoBank?

    /// Closes the demo bank's database file, if any.
    func close() throws { try demo?.close() }
}
