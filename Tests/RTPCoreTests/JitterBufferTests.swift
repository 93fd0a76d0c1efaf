import Testing
import VoiceGateTestSupport
@testable import RTPCore

@Suite struct JitterBufferTests {
    struct Arrival {
        var ms: Int64
        var seq: UInt16
        var timestamp: UInt32
        var marker = false
        var id: Int
    }

    enum Played: Equatable { case empty, frame(Int), missing }

    /// Runs `arrivals` through a buffer on a manual clock, popping every 20 ms until `untilMs`.
    static func run(_ arrivals: [Arrival], untilMs: Int64,
                    buffer: inout JitterBuffer<Int>) -> [Played] {
        var clock = ManualClock()
        var pending = arrivals.sorted { $0.ms < $1.ms }[...]
        var played: [Played] = []
        while clock.nowMs <= untilMs {
            while let next = pending.first, next.ms <= clock.nowMs {
                buffer.insert(sequenceNumber: next.seq, timestamp: next.timestamp, marker: next.marker,
                              arrivalMs: next.ms, payload: next.id)
                pending = pending.dropFirst()
            }
            switch buffer.pop(nowMs: clock.nowMs) {
            case .empty: played.append(.empty)
            case .frame(let id): played.append(.frame(id))
            case .missing: played.append(.missing)
            }
            clock.advance(byMs: 20)
        }
        return played
    }

    /// `count` packets every 20 ms from `firstSeq` (wrapping), ids 0..<count, arrival offset by `delay(i)`.
    static func stream(count: Int, firstSeq: UInt16 = 1000, startMs: Int64 = 0, firstId: Int = 0,
                       delay: (Int) -> Int64 = { _ in 0 }) -> [Arrival] {
        (0..<count).map { i in
            Arrival(ms: startMs + Int64(i) * 20 + delay(i), seq: firstSeq &+ UInt16(truncatingIfNeeded: i),
                    timestamp: UInt32(truncatingIfNeeded: (Int(startMs) + i * 20) * 8), marker: i == 0, id: firstId + i)
        }
    }

    static func frames(_ played: [Played]) -> [Int] {
        played.compactMap { if case .frame(let id) = $0 { id } else { nil } }
    }

    @Test func steadyStreamPlaysInOrderAfterTheInitialDelay() {
        var buffer = JitterBuffer<Int>()
        let played = Self.run(Self.stream(count: 50), untilMs: 1200, buffer: &buffer)
        #expect(played.prefix(2) == [.empty, .empty])  // 40 ms initial target
        #expect(played[2] == .frame(0))
        #expect(Self.frames(played) == Array(0..<50))
        #expect(!played[...played.firstIndex(of: .frame(49))!].contains(.missing))
        #expect(buffer.statistics.received == 50 && buffer.statistics.lost == 0)
        #expect(buffer.statistics.lastPlayoutDelayMs == 40)
    }

    @Test func reorderingAndDuplicatesAreAbsorbedAcrossTheSequenceWrap() {
        var arrivals = Self.stream(count: 60, firstSeq: 65520)
        for i in stride(from: 2, to: 58, by: 4) {  // swap neighbours: 5 ms of reordering
            arrivals[i].ms += 25
        }
        arrivals += arrivals.filter { $0.id % 3 == 0 }.map { var dup = $0; dup.ms += 5; return dup }
        var buffer = JitterBuffer<Int>()
        let played = Self.run(arrivals, untilMs: 1500, buffer: &buffer)
        #expect(Self.frames(played) == Array(0..<60))
        #expect(buffer.statistics.duplicate == 20)
        #expect(buffer.statistics.lost == 0 && buffer.statistics.late == 0)
    }

    @Test func aLostPacketIsConcealedOnceAndSkipped() {
        let arrivals = Self.stream(count: 30).filter { $0.id != 10 && $0.id != 20 }
        var buffer = JitterBuffer<Int>()
        let played = Self.run(arrivals, untilMs: 800, buffer: &buffer)
        let start = played.firstIndex(of: .frame(0))!
        let expected: [Played] = (0..<30).map { [10, 20].contains($0) ? .missing : .frame($0) }
        #expect(Array(played[start..<(start + 30)]) == expected)
        #expect(buffer.statistics.lost == 2)
        #expect(buffer.statistics.concealed == 2 + JitterBuffer<Int>.Configuration().maxConcealedFrames)
    }

    @Test func aPacketAfterItsTurnIsLateAndGrowsTheDelay() {
        var buffer = JitterBuffer<Int>()
        // Packet 10 is 150 ms late: by then later packets made it due and it was skipped.
        let played = Self.run(Self.stream(count: 40) { $0 == 10 ? 150 : 0 }, untilMs: 1000, buffer: &buffer)
        #expect(!Self.frames(played).contains(10))
        #expect(buffer.statistics.late == 1 && buffer.statistics.lost == 1)
        #expect(buffer.targetDelay >= 60)
    }

    @Test func silenceEndsATalkspurtAndTheNextOneIsPrebuffered() {
        var buffer = JitterBuffer<Int>()
        // Sender DTX: 1 s of speech, 1 s of silence (timestamp keeps running), 1 s of speech.
        let arrivals = Self.stream(count: 50) + Self.stream(count: 50, firstSeq: 1050, startMs: 2000, firstId: 50)
        let played = Self.run(arrivals, untilMs: 3500, buffer: &buffer)
        #expect(Self.frames(played) == Array(0..<100))
        let gap = played[played.firstIndex(of: .frame(49))!...played.firstIndex(of: .frame(50))!]
        #expect(gap.filter { $0 == .missing }.count == JitterBuffer<Int>.Configuration().maxConcealedFrames)
        #expect(gap.contains(.empty))
        #expect(buffer.statistics.lost == 0)
    }

    @Test func delayAdaptsUpUnderJitterAndDownWhenItCalms() {
        var rng = SyntheticSpeech.Random(seed: 11)
        var buffer = JitterBuffer<Int>()
        // 6 s with 0-100 ms random network delay (FIFO order kept by sorting arrival times).
        var noisy = Self.stream(count: 300) { _ in Int64(rng.uniform() * 100) }
        var lastMs: Int64 = 0
        for i in noisy.indices { noisy[i].ms = max(noisy[i].ms, lastMs); lastMs = noisy[i].ms }
        let noisyPlayed = Self.run(noisy, untilMs: 6200, buffer: &buffer)
        let grown = buffer.statistics
        #expect(grown.jitterMs > 15, "jitter estimate \(grown.jitterMs)")
        #expect(grown.targetDelayMs >= 80, "target \(grown.targetDelayMs)")
        #expect(grown.targetDelayMs <= 200)
        // Once grown, almost nothing of the second half is lost.
        let lostLate = Set(200..<300).subtracting(Self.frames(noisyPlayed)).count
        #expect(lostLate <= 3, "lost in the last 2 s: \(lostLate)")

        // Then 30 s of a calm network, talkspurts of 1 s separated by 0.5 s of silence.
        var calm: [Arrival] = []
        for spurt in 0..<20 {
            let startMs = 6400 + Int64(spurt) * 1500
            calm += Self.stream(count: 50, firstSeq: UInt16(1300 + spurt * 50), startMs: startMs, firstId: 1000 + spurt * 50)
        }
        for i in calm.indices { calm[i].timestamp = UInt32(calm[i].ms * 8) }
        var clockBuffer = buffer
        var tail: [Played] = []
        var clock = ManualClock()
        clock.advance(byMs: 6400)
        var pending = calm[...]
        while clock.nowMs <= 36_500 {
            while let next = pending.first, next.ms <= clock.nowMs {
                clockBuffer.insert(sequenceNumber: next.seq, timestamp: next.timestamp, marker: next.marker,
                                   arrivalMs: next.ms, payload: next.id)
                pending = pending.dropFirst()
            }
            if case .frame(let id) = clockBuffer.pop(nowMs: clock.nowMs) { tail.append(.frame(id)) }
            clock.advance(byMs: 20)
        }
        #expect(clockBuffer.statistics.targetDelayMs == 20, "target \(clockBuffer.statistics.targetDelayMs)")
        #expect(clockBuffer.statistics.lastPlayoutDelayMs <= 20)
        #expect(Self.frames(tail) == calm.map(\.id))
    }

    @Test func aContinuousStreamShrinksByDroppingSilenceOnly() {
        var buffer = JitterBuffer<Int>(configuration: .init(initialDelayMs: 200))
        // 15 s without gaps: 1 s of speech, then 1 s of silence (marked by the caller), and so on.
        let silent = { (id: Int) in (id / 50) % 2 == 1 }
        var clock = ManualClock()
        var played: [Int] = []
        var next = 0
        while clock.nowMs <= 15_500 {
            while next < 750, Int64(next) * 20 <= clock.nowMs {
                buffer.insert(sequenceNumber: UInt16(1000 + next), timestamp: UInt32(next * 160), marker: next == 0,
                              arrivalMs: Int64(next) * 20, silent: silent(next), payload: next)
                next += 1
            }
            if case .frame(let id) = buffer.pop(nowMs: clock.nowMs) { played.append(id) }
            clock.advance(byMs: 20)
        }
        let dropped = Set(0..<750).subtracting(played)
        #expect(buffer.statistics.silenceDropped == dropped.count && dropped.count >= 8, "\(buffer.statistics)")
        #expect(buffer.statistics.discarded == 0)
        #expect(dropped.allSatisfy(silent), "speech frames dropped: \(dropped.filter { !silent($0) }.sorted())")
        #expect(played == played.sorted())
        #expect(buffer.targetDelay <= 40)
        #expect(buffer.statistics.lastPlayoutDelayMs <= buffer.targetDelay + 20)
    }

    @Test func speechIsNeverDroppedToShrink() {
        // 15 s of speech without a pause, 200 ms of delay where 40 would do: it stays whole.
        var buffer = JitterBuffer<Int>(configuration: .init(initialDelayMs: 200))
        let played = Self.run(Self.stream(count: 750), untilMs: 15_500, buffer: &buffer)
        #expect(Self.frames(played) == Array(0..<750))
        #expect(buffer.statistics.discarded == 0 && buffer.statistics.silenceDropped == 0)
        #expect(buffer.targetDelay <= 40, "the target still learns the lower need")
    }
}

@Suite struct JitterBufferTalkspurtTests {
    @Test func aMarkerAfterAShortGapIsPrebuffered() {
        var buffer = JitterBuffer<Int>()
        // 20 packets, 60 ms of silence (sequence continues, timestamp jumps, marker set), 20 more.
        let first = JitterBufferTests.stream(count: 20)
        var second = JitterBufferTests.stream(count: 20, firstSeq: 1020, startMs: 460, firstId: 20)
        second[0].marker = true
        let played = JitterBufferTests.run(first + second, untilMs: 1200, buffer: &buffer)
        #expect(JitterBufferTests.frames(played) == Array(0..<40))
        let resumed = played.firstIndex(of: .frame(20))!
        // Packet 20 arrives at 460 ms and waits the 40 ms target: played at 500 ms (pop 25).
        #expect(resumed == 25)
        #expect(played[22..<25].contains(.empty))
        #expect(buffer.statistics.lastPlayoutDelayMs == 40)
    }
}
