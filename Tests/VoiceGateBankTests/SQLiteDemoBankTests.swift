import Foundation
import Testing
import VoiceGateBank
import VoiceGateDialog

/// The demo bank against a real SQLite file in a temp dir, seeded with the documented demo
/// customers (docs/demo-bank.md). Few PBKDF2 iterations keep debug builds fast; the storage
/// format is the same as in production.
@Suite struct SQLiteDemoBankTests {
    private static let iterations = 1_000
    /// The demo customers' PINs as docs/demo-bank.md lists them.
    private static let demoPINs = ["4321", "2580", "1357", "9753"]

    private func openSeededBank(in directory: TemporaryDirectory) async throws -> SQLiteDemoBank {
        let bank = try SQLiteDemoBank(path: directory.path("bank.sqlite"), pinHashIterations: Self.iterations)
        try await bank.seed()
        return bank
    }

    private func verifiedRef(_ bank: SQLiteDemoBank, caller: String, last4: String, pin: String) async -> String? {
        guard case .identity(true, let ref) = await bank.perform(
            .verifyIdentity(callerNumber: caller, last4: last4, pin: pin))
        else { return nil }
        return ref
    }

    @Test func profileKnowsCustomersAndTheAssistedFlag() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bank = try await openSeededBank(in: directory)
        #expect(await bank.perform(.customerProfile(callerNumber: "+15550001")) == .profile(known: true, assisted: false))
        #expect(await bank.perform(.customerProfile(callerNumber: "+15550002")) == .profile(known: true, assisted: true))
        // ANI spellings from SIP headers are normalised.
        #expect(await bank.perform(.customerProfile(callerNumber: "sip:+1 555-0002@carrier.example;user=phone"))
                == .profile(known: true, assisted: true))
        #expect(await bank.perform(.customerProfile(callerNumber: "+19995550000")) == .profile(known: false, assisted: false))
        #expect(await bank.perform(.customerProfile(callerNumber: "anonymous")) == .profile(known: false, assisted: false))
        #expect(await bank.language(callerNumber: "+8613800138000") == "zh")
        #expect(await bank.language(callerNumber: "+15550001") == "en")
        #expect(await bank.language(callerNumber: "+19995550000") == nil)
    }

    @Test func verifiesTheRightPINAndRejectsWrongOnes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bank = try await openSeededBank(in: directory)

        let byAccount = await verifiedRef(bank, caller: "+15550001", last4: "1234", pin: "4321")
        #expect(byAccount != nil)
        #expect(byAccount?.contains("1234") == false, "the reference must not reveal the account digits")
        // The debit card 5678 draws on the same account.
        #expect(await verifiedRef(bank, caller: "+15550001", last4: "5678", pin: "4321") == byAccount)

        let wrongPIN = await bank.perform(.verifyIdentity(callerNumber: "+15550001", last4: "1234", pin: "4322"))
        #expect(wrongPIN == .identity(verified: false, accountRef: nil))
        let wrongLast4 = await bank.perform(.verifyIdentity(callerNumber: "+15550001", last4: "1235", pin: "4321"))
        #expect(wrongLast4 == .identity(verified: false, accountRef: nil))
        let notDigits = await bank.perform(.verifyIdentity(callerNumber: "+15550001", last4: "1234", pin: "43*1"))
        #expect(notDigits == .identity(verified: false, accountRef: nil))

        // A number not on file may verify with last 4 + PIN across all customers ...
        #expect(await verifiedRef(bank, caller: "+19995550000", last4: "1234", pin: "4321") == byAccount)
        #expect(await verifiedRef(bank, caller: "", last4: "1234", pin: "4321") == byAccount)
        // ... but a number on file only with its own customer's accounts.
        #expect(await verifiedRef(bank, caller: "+15550002", last4: "1234", pin: "4321") == nil)
        #expect(await verifiedRef(bank, caller: "+15550002", last4: "2222", pin: "2580") != nil)
    }

    @Test func balancesInMinorUnitsAndCurrency() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bank = try await openSeededBank(in: directory)
        let alice = try #require(await verifiedRef(bank, caller: "+15550001", last4: "1234", pin: "4321"))
        #expect(await bank.perform(.balance(accountRef: alice)) == .balance(minorUnits: 123_456, currency: "USD"))
        let carol = try #require(await verifiedRef(bank, caller: "+15550003", last4: "3456", pin: "1357"))
        #expect(await bank.perform(.balance(accountRef: carol)) == .balance(minorUnits: -7_525, currency: "USD"))
        let wei = try #require(await verifiedRef(bank, caller: "+8613800138000", last4: "8888", pin: "9753"))
        #expect(await bank.perform(.balance(accountRef: wei)) == .balance(minorUnits: 888_800, currency: "CNY"))
        #expect(await bank.perform(.balance(accountRef: "acct-nope")) == .failure(reason: "unknown account"))
    }

    @Test func latestStatementOfTheCustomer() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bank = try await openSeededBank(in: directory)
        // Verified with the checking account; the bill is the credit card's latest statement.
        let alice = try #require(await verifiedRef(bank, caller: "+15550001", last4: "1234", pin: "4321"))
        #expect(await bank.perform(.lastStatement(accountRef: alice))
                == .statement(amountDueMinor: 23_450, currency: "USD", dueYear: 2026, dueMonth: 12, dueDay: 15))
        let wei = try #require(await verifiedRef(bank, caller: "+8613800138000", last4: "6000", pin: "9753"))
        #expect(await bank.perform(.lastStatement(accountRef: wei))
                == .statement(amountDueMinor: 120_000, currency: "CNY", dueYear: 2026, dueMonth: 12, dueDay: 20))
        let bob = try #require(await verifiedRef(bank, caller: "+15550002", last4: "2222", pin: "2580"))
        #expect(await bank.perform(.lastStatement(accountRef: bob)) == .failure(reason: "no statement"))
        #expect(await bank.perform(.lastStatement(accountRef: "acct-nope")) == .failure(reason: "unknown account"))
    }

    @Test func blockingACardPersistsAcrossReopeningTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("bank.sqlite")
        let first: String
        do {
            let bank = try await openSeededBank(in: directory)
            let alice = try #require(await verifiedRef(bank, caller: "+15550001", last4: "1234", pin: "4321"))
            #expect(await bank.cardState(accountRef: alice, last4: "5678") == DemoCardState(blocked: false, confirmation: nil))
            guard case .cardBlocked(let confirmation) = await bank.perform(.blockCard(accountRef: alice, last4: "5678"))
            else { Issue.record("card not blocked"); return }
            #expect(confirmation.count == 8 && confirmation.allSatisfy(\.isNumber))
            // A retried block answers the same confirmation instead of a new one.
            #expect(await bank.perform(.blockCard(accountRef: alice, last4: "5678")) == .cardBlocked(confirmation: confirmation))
            let missing = await bank.perform(.blockCard(accountRef: alice, last4: "0000"))
            #expect(missing == .failure(reason: "no such card"))
            first = confirmation
            try bank.close()
        }

        let reopened = try SQLiteDemoBank(path: path, pinHashIterations: Self.iterations)
        try await reopened.seed()  // re-seeding must not unblock the card
        let alice = try #require(await verifiedRef(reopened, caller: "+15550001", last4: "1234", pin: "4321"))
        #expect(await reopened.cardState(accountRef: alice, last4: "5678") == DemoCardState(blocked: true, confirmation: first))
        // The sequence continues from the file, not from memory.
        guard case .cardBlocked(let second) = await reopened.perform(.blockCard(accountRef: alice, last4: "9012"))
        else { Issue.record("second card not blocked"); return }
        #expect(Int(second) == Int(first)! + 1)
        try reopened.close()
    }

    @Test func reseedingChangesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bank = try await openSeededBank(in: directory)
        let before = await verifiedRef(bank, caller: "", last4: "9012", pin: "4321")
        try await bank.seed()
        try await bank.seed()
        // Duplicated customers would make last 4 + PIN ambiguous for an unknown caller.
        #expect(before != nil)
        #expect(await verifiedRef(bank, caller: "", last4: "9012", pin: "4321") == before)
        #expect(await bank.perform(.balance(accountRef: before ?? "")) == .balance(minorUnits: -23_450, currency: "USD"))
    }

    @Test func theDatabaseFilesNeverHoldAPINInClear() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("bank.sqlite")
        let bank = try await openSeededBank(in: directory)
        for (last4, pin) in [("1234", "4321"), ("2222", "2580"), ("3456", "1357"), ("8888", "9753")] {
            _ = await bank.perform(.verifyIdentity(callerNumber: "", last4: last4, pin: pin))
        }
        let alice = try #require(await verifiedRef(bank, caller: "+15550001", last4: "1234", pin: "4321"))
        _ = await bank.perform(.blockCard(accountRef: alice, last4: "5678"))

        func contents() throws -> [(String, Data)] {
            try [path, path + "-wal", path + "-shm"].compactMap { file in
                FileManager.default.fileExists(atPath: file) ? (file, try Data(contentsOf: URL(fileURLWithPath: file))) : nil
            }
        }
        // While open, recent writes sit in the WAL; after closing they are checkpointed into the main file.
        let whileOpen = try contents()
        #expect(whileOpen.contains { $0.0.hasSuffix("-wal") && !$0.1.isEmpty }, "expected a WAL file in use")
        try bank.close()
        let afterClose = try contents()

        for (file, data) in whileOpen + afterClose {
            for pin in Self.demoPINs {
                #expect(data.range(of: Data(pin.utf8)) == nil, "PIN found in clear in \(file)")
            }
        }
        // The search itself works: data written beside the PINs is found.
        let everything = (whileOpen + afterClose).map(\.1)
        #expect(everything.contains { $0.range(of: Data("+15550001".utf8)) != nil })
    }
}
