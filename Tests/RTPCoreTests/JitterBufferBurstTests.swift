import Testing
import VoiceGateTestSupport
@testable import RTPCore

/// Bursty senders (sipp replays a capture by its timestamps but in bursts; a busy receiver
/// reads a backlog at once): a packet that is there at its turn is played at its turn, every
/// packet exactly once, in order, with no concealment when nothing was lost.
@Suite struct JitterBufferBurstTests {
    typealias Arrival = JitterBufferTests.Arrival
    typealias Played = JitterBufferTests.Played

    /// `count` packets of a stream without gaps whose packet i arrives at `arrival(i)`.
    static func stream(count: Int, arrival: (Int) -> Int64) -> [Arrival] {
        (0..<count).map { i in
            Arrival(ms: arrival(i), seq: 50_000 &+ UInt16(truncatingIfNeeded: i),
                    timestamp: UInt32(truncatingIfNeeded: 12_345 + i * 160), marker: i == 0, id: i)
        }
    }

    /// The frames from the first played one to the last, as played.
    static func talkspurt(_ played: [Played]) -> ArraySlice<Played> {
        guard let first = played.firstIndex(where: { if case .frame = $0 { true } else { false } }),
              let last = played.lastIndex(where: { if case .frame = $0 { true } else { false } }) else { return [] }
        return played[first...last]
    }

    @Test(arguments: [false, true])
    func fivePacketsAtOnceEveryHundredMs(sentAhead: Bool) {
        // Late bursts: a sender that catches up sends packets 5k..5k+4 when 5k+4 is due. Early
        // bursts: a replayer that reads ahead sends them when 5k is due.
        let arrivals = Self.stream(count: 500) { i in Int64(i / 5 * 100) + (sentAhead ? 0 : 80) }
        var buffer = JitterBuffer<Int>()
        let played = JitterBufferTests.run(arrivals, untilMs: 11_000, buffer: &buffer)
        #expect(JitterBufferTests.frames(played) == Array(0..<500))
        #expect(!Self.talkspurt(played).contains(.missing), "\(buffer.statistics)")
        #expect(buffer.statistics.discarded == 0 && buffer.statistics.lost == 0 && buffer.statistics.waited == 0)
        #expect(buffer.targetDelay <= 100, "target \(buffer.targetDelay)")
    }

    @Test func jitterOfFortyMsEachWayIsLearntThenNothingIsConcealed() {
        var rng = SyntheticSpeech.Random(seed: 21)
        // 20 s, each packet delayed 40 ± 40 ms (so neighbours reorder).
        let arrivals = Self.stream(count: 1000) { i in Int64(i * 20) + 40 + Int64((rng.uniform() * 2 - 1) * 40) }
        var buffer = JitterBuffer<Int>()
        let played = JitterBufferTests.run(arrivals, untilMs: 21_000, buffer: &buffer)
        let frames = JitterBufferTests.frames(played)
        #expect(frames == frames.sorted() && Set(frames).count == frames.count, "in order, at most once")
        // Learning costs a few frames at most; once learnt (after 2 s) every packet plays, and
        // nothing is concealed.
        #expect(frames.count >= 995, "\(1000 - frames.count) not played; \(buffer.statistics)")
        #expect(Array(frames.drop { $0 < 100 }) == Array(100..<1000))
        let learnt = played[played.firstIndex(of: .frame(100))!...played.lastIndex(of: .frame(999))!]
        #expect(!learnt.contains(.missing), "\(buffer.statistics)")
        #expect(buffer.statistics.discarded == 0)
        #expect((80...120).contains(buffer.targetDelay), "target \(buffer.targetDelay)")
    }

    @Test func aStallLongerThanATalkspurtGapLosesNothing() {
        // The sender (or the reader) stalls 300 ms twice, then the backlog arrives at once.
        let arrivals = Self.stream(count: 150) { i in
            let sent = Int64(i * 20)
            if (40..<55).contains(i) { return 1100 }
            if (100..<115).contains(i) { return 2300 }
            return sent
        }
        var buffer = JitterBuffer<Int>()
        let played = JitterBufferTests.run(arrivals, untilMs: 4000, buffer: &buffer)
        #expect(JitterBufferTests.frames(played) == Array(0..<150), "\(buffer.statistics)")
        #expect(buffer.statistics.lost == 0 && buffer.statistics.discarded == 0 && buffer.statistics.late == 0)
        #expect(buffer.statistics.waited == 1, "\(buffer.statistics)")
        // The first stall is not the stream's end: its concealment counts as in speech.
        #expect(buffer.statistics.concealed - buffer.statistics.concealedAtEnd == 5, "\(buffer.statistics)")
        // It left the lag long enough for the second stall: that one costs nothing.
        let second = played[played.firstIndex(of: .frame(99))!...played.firstIndex(of: .frame(115))!]
        #expect(!second.contains(.missing) && !second.contains(.empty))
        #expect(buffer.targetDelay == 200, "target \(buffer.targetDelay)")
    }

    @Test func aPacketHereAtItsTurnIsNeverConcealedWhateverTheBurstPattern() {
        // Random bursts of 1-8 packets, each burst sent when its last packet is due (plus up to
        // 15 ms of scheduling noise): everything arrives in order, nothing is lost.
        var rng = SyntheticSpeech.Random(seed: 8)
        var arrivals: [Arrival] = []
        var i = 0
        while i < 1500 {
            let size = 1 + Int(rng.uniform() * 8)
            let last = min(1499, i + size - 1)
            let at = Int64(last * 20) + Int64(rng.uniform() * 15)
            for k in i...last {
                arrivals.append(Arrival(ms: max(at, arrivals.last?.ms ?? 0), seq: UInt16(truncatingIfNeeded: 7 + k),
                                        timestamp: UInt32(k * 160), marker: k == 0, id: k))
            }
            i = last + 1
        }
        var buffer = JitterBuffer<Int>()
        let played = JitterBufferTests.run(arrivals, untilMs: 31_000, buffer: &buffer)
        #expect(JitterBufferTests.frames(played) == Array(0..<1500))
        let stats = buffer.statistics
        #expect(stats.lost == 0 && stats.discarded == 0 && stats.late == 0, "\(stats)")
        // Each concealed frame waited for a packet not yet there: the lag grows to cover the
        // pattern in the first seconds, then nothing more is concealed.
        let start = played.firstIndex(of: .frame(250))!
        #expect(!played[start...played.lastIndex(of: .frame(1499))!].contains(.missing), "\(stats)")
    }

    @Test func aLostPacketInABurstIsConcealedOnceAndSkipped() {
        let arrivals = Self.stream(count: 200) { i in Int64(i / 5 * 100) + 80 }.filter { $0.id != 57 && $0.id != 123 }
        var buffer = JitterBuffer<Int>()
        let played = JitterBufferTests.run(arrivals, untilMs: 4500, buffer: &buffer)
        #expect(JitterBufferTests.frames(played) == Array(0..<200).filter { $0 != 57 && $0 != 123 })
        #expect(Self.talkspurt(played).filter { $0 == .missing }.count == 2)
        #expect(buffer.statistics.lost == 2 && buffer.statistics.discarded == 0)
    }
}
