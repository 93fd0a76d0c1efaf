import Testing
import VoiceGateTestSupport
@testable import RTPCore

/// Hostile and chaotic input: nothing traps, and the invariants hold.
@Suite struct RobustnessTests {
    @Test func randomBytesNeverTrapTheParsers() {
        var rng = SyntheticSpeech.Random(seed: 99)
        var parsedRTP = 0
        for _ in 0..<5000 {
            let length = Int(rng.uniform() * 40)
            var bytes = (0..<length).map { _ in UInt8(rng.uniform() * 256) }
            if !bytes.isEmpty, rng.uniform() < 0.7 { bytes[0] = 0x80 | (bytes[0] & 0x3F) }  // mostly version 2
            if (try? RTPPacket(parsing: bytes)) != nil { parsedRTP += 1 }
            _ = try? RTCPCompound.parse(bytes)
            _ = try? TelephoneEvent(parsing: bytes)
        }
        #expect(parsedRTP > 100, "the generator should also produce valid packets")
    }

    @Test func jitterBufferPlaysEachPacketAtMostOnceInOrderUnderChaos() {
        var rng = SyntheticSpeech.Random(seed: 5)
        var buffer = JitterBuffer<Int>()
        var arrivals: [(ms: Int64, seq: UInt16, id: Int)] = []
        var seq: UInt16 = 65000
        var ms: Int64 = 0
        for id in 0..<2000 {
            if rng.uniform() < 0.01 { seq &+= UInt16(rng.uniform() * 20) }        // burst loss
            if rng.uniform() < 0.002 { ms += Int64(rng.uniform() * 2000) }        // silence
            let delay = Int64(rng.uniform() * rng.uniform() * 300)               // heavy-tailed jitter
            arrivals.append((ms + delay, seq, id))
            if rng.uniform() < 0.05 { arrivals.append((ms + delay + 3, seq, id)) } // duplicate
            seq &+= 1
            ms += 20
        }
        arrivals.sort { $0.ms < $1.ms }
        var clock = ManualClock()
        var next = 0
        var played: [Int] = []
        while clock.nowMs <= ms + 1000 {
            while next < arrivals.count, arrivals[next].ms <= clock.nowMs {
                let a = arrivals[next]
                buffer.insert(sequenceNumber: a.seq, timestamp: UInt32(truncatingIfNeeded: a.id * 160),
                              arrivalMs: a.ms, payload: a.id)
                next += 1
            }
            if case .frame(let id) = buffer.pop(nowMs: clock.nowMs) { played.append(id) }
            clock.advance(byMs: 20)
        }
        #expect(played == played.sorted() && Set(played).count == played.count)
        let stats = buffer.statistics
        #expect(played.count + stats.late + stats.discarded >= 1900, "\(played.count) played, \(stats)")
        #expect((20...200).contains(stats.targetDelayMs))
        // Waiting for very late packets may hold speech past the maximum delay (it is never
        // dropped to catch up), but never past what the ring holds.
        #expect(stats.lastPlayoutDelayMs <= 1280)
    }

    @Test func aTimestampJumpIsNotJitter() {
        var buffer = JitterBuffer<Int>()
        for i in 0..<50 {
            // A new prompt source halfway: the timestamp base jumps, the sequence continues.
            let ts = i < 25 ? UInt32(i * 160) : 3_000_000_000 &+ UInt32(i * 160)
            buffer.insert(sequenceNumber: UInt16(i), timestamp: ts, marker: i == 25, arrivalMs: Int64(i * 20), payload: i)
        }
        #expect(buffer.statistics.jitterMs < 1)
        #expect(buffer.statistics.received == 50)
    }
}
