import Foundation
import Testing
import VoiceGateBank
import VoiceGateDialog

/// The webhook bank against a real HTTP server on 127.0.0.1 (see `WebhookTestServer`):
/// success mapping of every request type, and every transport failure as `.failure`.
@Suite struct HTTPWebhookBankTests {
    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test func mapsEveryAnswerOfTheDocumentedJSON() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await WebhookTestServer.start(in: directory, bearerToken: "s3cret-token")
        defer { server.stop() }
        let bank = HTTPWebhookBank(url: server.url(), bearerToken: "s3cret-token")

        #expect(await bank.perform(.customerProfile(callerNumber: "+15550002")) == .profile(known: true, assisted: true))
        #expect(await bank.perform(.customerProfile(callerNumber: "+15550001")) == .profile(known: true, assisted: false))
        #expect(await bank.perform(.customerProfile(callerNumber: "+19990000")) == .profile(known: false, assisted: false))
        #expect(await bank.perform(.verifyIdentity(callerNumber: "+15550001", last4: "1234", pin: "4321"))
                == .identity(verified: true, accountRef: "ref-abc"))
        #expect(await bank.perform(.verifyIdentity(callerNumber: "+15550001", last4: "1234", pin: "0000"))
                == .identity(verified: false, accountRef: nil))
        #expect(await bank.perform(.balance(accountRef: "ref-abc")) == .balance(minorUnits: 123_456, currency: "USD"))
        #expect(await bank.perform(.blockCard(accountRef: "ref-abc", last4: "5678")) == .cardBlocked(confirmation: "40000017"))
        #expect(await bank.perform(.lastStatement(accountRef: "ref-abc"))
                == .statement(amountDueMinor: 23_450, currency: "USD", dueYear: 2026, dueMonth: 12, dueDay: 15))
        // A bank-side error keeps its words but loses its digits.
        #expect(await bank.perform(.balance(accountRef: "ref-other")) == .failure(reason: "unknown account"))
        #expect(await bank.perform(.blockCard(accountRef: "ref-abc", last4: "9999")) == .failure(reason: "no such card"))
    }

    @Test func aMissingOrWrongTokenIsAnHTTPFailure() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await WebhookTestServer.start(in: directory, bearerToken: "s3cret-token")
        defer { server.stop() }
        let anonymous = HTTPWebhookBank(url: server.url())
        #expect(await anonymous.perform(.balance(accountRef: "ref-abc")) == .failure(reason: "http 401"))
        let wrong = HTTPWebhookBank(url: server.url(), bearerToken: "guess")
        #expect(await wrong.perform(.balance(accountRef: "ref-abc")) == .failure(reason: "http 401"))
    }

    @Test func aSlowBankTimesOutOnTime() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await WebhookTestServer.start(in: directory)
        defer { server.stop() }
        let timeout = Duration.milliseconds(500)
        let bank = HTTPWebhookBank(url: server.url("/slow"), timeout: timeout)
        let clock = ContinuousClock()
        let start = clock.now
        let result = await bank.perform(.customerProfile(callerNumber: "+15550001"))
        let elapsed = seconds(clock.now - start)
        #expect(result == .failure(reason: "timeout"))
        #expect(elapsed >= 0.45, "answered before the timeout: \(elapsed) s")
        // `/slow` answers after 30 s: ending before that proves our timeout fired. The slack is
        // wide because this test shares a 2-core machine's cooperative thread pool with socket
        // tests that block threads while they wait, which delays the timeout's wake-up (10.7 s
        // seen in a full run).
        #expect(elapsed < 25, "took \(elapsed) s for a \(timeout) timeout")
    }

    @Test func serverErrorsAndGarbageAreFailures() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await WebhookTestServer.start(in: directory)
        defer { server.stop() }
        let failing = HTTPWebhookBank(url: server.url("/error"))
        #expect(await failing.perform(.balance(accountRef: "ref-abc")) == .failure(reason: "http 500"))
        let garbage = HTTPWebhookBank(url: server.url("/garbage"))
        #expect(await garbage.perform(.balance(accountRef: "ref-abc")) == .failure(reason: "bad response"))
    }

    @Test func aClosedPortIsUnreachableWithoutWaitingForTheTimeout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A port that was just free and is closed again: nothing listens there any more.
        let server = try await WebhookTestServer.start(in: directory)
        let url = server.url()
        server.stop()
        let bank = HTTPWebhookBank(url: url, timeout: .seconds(30))
        let clock = ContinuousClock()
        let start = clock.now
        let result = await bank.perform(.balance(accountRef: "ref-abc"))
        #expect(result == .failure(reason: "unreachable"))
        // Refused, not timed out: well before the 30 s timeout (wide slack for a starved 2-core
        // test pool; 10.4 s seen in a full run).
        #expect(seconds(clock.now - start) < 25.0)
    }
}
