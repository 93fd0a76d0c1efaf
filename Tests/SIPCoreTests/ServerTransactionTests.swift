import SIPCore
import Testing

/// Drives a transaction with a virtual clock: timers fire when time passes them.
struct TransactionDriver {
    var transaction: InviteServerTransaction<String>
    var now: Int64 = 0
    var timers: [InviteServerTransaction<String>.Timer: Int64] = [:]
    var sent: [(at: Int64, response: String)] = []
    var ackTimedOut = false
    var terminated = false

    init(reliability: SIPTransportReliability) {
        transaction = InviteServerTransaction(reliability: reliability)
    }

    mutating func apply(_ actions: [InviteServerTransaction<String>.Action]) {
        for action in actions {
            switch action {
            case .sendResponse(let r): sent.append((now, r))
            case let .startTimer(t, ms): timers[t] = now + ms
            case .cancelTimer(let t): timers[t] = nil
            case .ackTimeout: ackTimedOut = true
            case .terminated: terminated = true
            }
        }
    }

    mutating func send(_ event: InviteServerTransaction<String>.Event) { apply(transaction.handle(event)) }

    mutating func advance(to target: Int64) {
        while let (timer, due) = timers.filter({ $0.value <= target }).min(by: { $0.value < $1.value }) {
            timers[timer] = nil
            now = due
            send(.timerFired(timer))
        }
        now = target
    }
}

@Suite struct InviteServerTransactionTests {
    @Test func anErrorResponseIsRetransmittedWithTimerGUntilTheAck() {
        var d = TransactionDriver(reliability: .unreliable)
        d.send(.send("100", status: 100))
        d.send(.send("486", status: 486))
        #expect(d.transaction.state == .completed)
        d.advance(to: 4_100)
        // Sent at 0, then retransmitted at T1=500, +1000 → 1500, +2000 → 3500 (then 4000 steps).
        #expect(d.sent.map(\.at) == [0, 0, 500, 1500, 3500])
        d.send(.ackReceived)
        #expect(d.transaction.state == .confirmed)
        #expect(d.timers[.g] == nil && d.timers[.h] == nil)
        d.send(.requestRetransmitted)  // absorbed in Confirmed
        #expect(d.sent.count == 5)
        d.advance(to: 4_100 + 5_000)
        #expect(d.transaction.state == .terminated && d.terminated)
        #expect(!d.ackTimedOut)
    }

    @Test func timerHEndsATransactionWhoseAckNeverComes() {
        var d = TransactionDriver(reliability: .unreliable)
        d.send(.send("503", status: 503))
        d.advance(to: 31_999)
        #expect(d.transaction.state == .completed)
        d.advance(to: 32_000)
        #expect(d.ackTimedOut && d.terminated)
        // G caps at T2: retransmissions at 500, 1500, 3500, 7500, 11500, … 4 s apart.
        let gaps = zip(d.sent.dropFirst().map(\.at), d.sent.dropFirst(2).map(\.at)).map { $1 - $0 }
        #expect(gaps.prefix(3) == [1000, 2000, 4000])
        #expect(gaps.allSatisfy { $0 <= 4000 })
    }

    @Test func reliableTransportsNeitherRetransmitNorWaitForAckRetransmissions() {
        var d = TransactionDriver(reliability: .reliable)
        d.send(.send("486", status: 486))
        d.advance(to: 10_000)
        #expect(d.sent.count == 1)
        d.send(.ackReceived)
        d.advance(to: 10_000)
        #expect(d.transaction.state == .terminated)
    }

    @Test func retransmittedInvitesGetTheLastProvisionalAgain() {
        var d = TransactionDriver(reliability: .unreliable)
        d.send(.requestRetransmitted)
        #expect(d.sent.isEmpty)
        d.send(.send("100", status: 100))
        d.send(.send("180", status: 180))
        d.send(.requestRetransmitted)
        #expect(d.sent.map(\.response) == ["100", "180", "180"])
    }

    @Test func afterA2xxTheTransactionAbsorbsRetransmissionsUntilTimerL() {
        var d = TransactionDriver(reliability: .unreliable)
        d.send(.send("200", status: 200))
        #expect(d.transaction.state == .accepted)
        d.send(.requestRetransmitted)
        #expect(d.sent.count == 1, "2xx retransmission is the UAS core's job, not the transaction's")
        d.send(.send("200", status: 200))  // the core's retransmission passes through
        #expect(d.sent.count == 2)
        d.advance(to: 32_000)
        #expect(d.transaction.state == .terminated)
    }
}

@Suite struct NonInviteServerTransactionTests {
    @Test func aFinalResponseIsRepeatedForRetransmissionsUntilTimerJ() {
        var t = NonInviteServerTransaction<String>(reliability: .unreliable)
        #expect(t.handle(.requestRetransmitted).isEmpty)
        let first = t.handle(.send("200", status: 200))
        #expect(first.count == 2)
        guard case .startTimerJ(let ms) = first[1] else { Issue.record("timer J not started"); return }
        #expect(ms == 32_000)
        let again = t.handle(.requestRetransmitted)
        guard case .sendResponse(let r) = again.first else { Issue.record("not resent"); return }
        #expect(r == "200")
        #expect(t.handle(.timerJFired).count == 1)
        #expect(t.state == .terminated)
    }

    @Test func reliableTransportsEndAtOnce() {
        var t = NonInviteServerTransaction<String>(reliability: .reliable)
        let actions = t.handle(.send("200", status: 200))
        guard case .startTimerJ(let ms) = actions.last else { Issue.record("timer J not started"); return }
        #expect(ms == 0)
    }
}

@Suite struct SuccessRetransmitterTests {
    @Test func the2xxIsResentAtDoublingIntervalsUntilTheAckOrGivesUpAfter64T1() {
        var r = SuccessRetransmitter()
        var now = r.firstDelay
        var resent: [Int64] = []
        var gaveUp = false
        while !gaveUp && now < 40_000 {
            var next: Int64?
            for action in r.tick() {
                switch action {
                case .retransmit: resent.append(now)
                case .scheduleNext(let ms): next = ms
                case .giveUp: gaveUp = true
                }
            }
            guard let next else { break }
            now += next
        }
        #expect(resent.prefix(4) == [500, 1500, 3500, 7500])
        #expect(gaveUp)
        #expect(now <= 32_000)
    }

    @Test func anAckStopsIt() {
        var r = SuccessRetransmitter()
        _ = r.tick()
        r.ackReceived()
        #expect(r.tick().isEmpty)
    }
}
