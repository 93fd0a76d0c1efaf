import Testing
import VoiceGateTestSupport
@testable import RTPCore

@Suite struct SymmetricRTPLatchTests {
    @Test func latchesAfterTwoPacketsAndRelatchesOnlyOnSustainedChange() {
        var latch = SymmetricRTPLatch<String>(signalledAddress: "10.0.0.5:4000", payloadTypes: [0, 101])
        func observe(_ source: String, _ ssrc: UInt32, _ pt: UInt8) -> SymmetricRTPLatch<String>.Decision {
            latch.observe(source: source, ssrc: ssrc, payloadType: pt)
        }
        #expect(latch.remoteAddress == "10.0.0.5:4000" && !latch.isLatched)
        #expect(observe("203.0.113.9:31000", 7, 96) == .reject)  // not negotiated
        #expect(observe("203.0.113.9:31000", 7, 0) == .accept)
        #expect(latch.remoteAddress == "10.0.0.5:4000")
        #expect(observe("203.0.113.9:31000", 7, 101) == .latched("203.0.113.9:31000"))
        #expect(latch.remoteAddress == "203.0.113.9:31000" && latch.ssrc == 7)
        // A few injected packets from elsewhere are dropped and do not move the latch.
        for _ in 0..<5 { #expect(observe("198.51.100.66:1", 7, 0) == .reject) }
        #expect(observe("203.0.113.9:31000", 7, 0) == .accept)
        for _ in 0..<9 { #expect(observe("198.51.100.66:1", 7, 0) == .reject) }
        #expect(observe("198.51.100.66:1", 7, 0)
                == .relatched(from: "203.0.113.9:31000", to: "198.51.100.66:1"))
        #expect(latch.remoteAddress == "198.51.100.66:1")
    }

    @Test func expectedSSRCFiltersBeforeLatching() {
        var latch = SymmetricRTPLatch<Int>(signalledAddress: nil, payloadTypes: [8], expectedSSRC: 42)
        func observe(_ source: Int, _ ssrc: UInt32, _ pt: UInt8) -> SymmetricRTPLatch<Int>.Decision {
            latch.observe(source: source, ssrc: ssrc, payloadType: pt)
        }
        #expect(observe(1, 41, 8) == .reject)
        #expect(observe(1, 41, 8) == .reject)
        #expect(latch.remoteAddress == nil)
        #expect(observe(2, 42, 8) == .accept)
        #expect(observe(2, 42, 8) == .latched(2))
    }
}

@Suite struct MediaTimeoutTests {
    @Test func firesAfterThirtySecondsOfSilenceAndHoldPausesIt() {
        var clock = ManualClock()
        var timeout = MediaTimeout(startMs: clock.nowMs)
        for _ in 0..<100 {
            clock.advance(byMs: 20)
            timeout.packetReceived(atMs: clock.nowMs)
        }
        clock.advance(byMs: 29_999)
        #expect(!timeout.hasExpired(atMs: clock.nowMs))
        clock.advance(byMs: 1)
        #expect(timeout.hasExpired(atMs: clock.nowMs))
        timeout.pause()
        clock.advance(byMs: 120_000)
        #expect(!timeout.hasExpired(atMs: clock.nowMs) && timeout.deadlineMs == nil)
        timeout.resume(atMs: clock.nowMs)
        #expect(timeout.deadlineMs == clock.nowMs + 30_000)
        clock.advance(byMs: 30_000)
        #expect(timeout.hasExpired(atMs: clock.nowMs))
    }
}

@Suite struct DigitDeduplicatorTests {
    @Test func sameKeyFromTwoSourcesCountsOnceButTwoPressesCountTwice() {
        var dedup = DigitDeduplicator()
        var accepted: [Character] = []
        func offer(_ digit: Character, _ source: DigitDeduplicator.Source, _ start: Int64, _ end: Int64? = nil) {
            if dedup.accept(.init(digit: digit, source: source, startMs: start, endMs: end)) { accepted.append(digit) }
        }
        offer("1", .rfc4733, 1000)             // start packet
        offer("1", .inBand, 1040, 1120)         // tone left in the audio
        offer("1", .sipInfo, 1150, 1250)        // INFO from the PBX as well
        offer("1", .rfc4733, 1400)              // a second press of the same key
        offer("1", .inBand, 1430, 1500)
        offer("2", .inBand, 1450, 1520)         // a different key, only in-band
        offer("2", .rfc4733, 3000)              // 2 again, much later: new press
        #expect(accepted == ["1", "1", "2", "2"])
    }

    @Test func quickRepeatSeenOnlyOnceInBandKeepsBothPresses() {
        var dedup = DigitDeduplicator()
        func accept(_ o: DigitDeduplicator.Observation) -> Bool { dedup.accept(o) }
        #expect(accept(.init(digit: "5", source: .rfc4733, startMs: 0, endMs: 100)))
        #expect(accept(.init(digit: "5", source: .rfc4733, startMs: 180, endMs: 260)))
        // The detector saw only the second press: it pairs with the nearest, not the first.
        #expect(!accept(.init(digit: "5", source: .inBand, startMs: 200, endMs: 260)))
        #expect(!accept(.init(digit: "5", source: .inBand, startMs: 10, endMs: 100)))
    }
}
