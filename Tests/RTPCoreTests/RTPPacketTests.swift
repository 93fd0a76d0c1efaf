import NIOCore
import Testing
import VoiceGateTestSupport
@testable import RTPCore

@Suite struct RTPPacketTests {
    @Test func roundTripsAllHeaderFields() throws {
        let packet = RTPPacket(payloadType: 111, marker: true, sequenceNumber: 0xFFFF, timestamp: 0xDEAD_BEEF,
                               ssrc: 0x1234_5678, csrcs: [1, 2, 3],
                               headerExtension: .init(profile: 0xBEDE, data: [1, 2, 3, 4, 5]),
                               payload: [9, 8, 7], paddingLength: 4)
        let bytes = packet.bytes
        #expect(bytes.count == packet.encodedLength)
        #expect(bytes[0] >> 6 == 2)
        let parsed = try RTPPacket(parsing: bytes)
        #expect(parsed.payloadType == 111)
        #expect(parsed.marker)
        #expect(parsed.sequenceNumber == 0xFFFF)
        #expect(parsed.timestamp == 0xDEAD_BEEF)
        #expect(parsed.ssrc == 0x1234_5678)
        #expect(parsed.csrcs == [1, 2, 3])
        #expect(parsed.headerExtension == .init(profile: 0xBEDE, data: [1, 2, 3, 4, 5, 0, 0, 0]))
        #expect(parsed.payload == [9, 8, 7])
        #expect(parsed.paddingLength == 4)

        var buffer = ByteBuffer(bytes: bytes)
        let fromBuffer = try RTPPacket(parsing: buffer)
        #expect(fromBuffer == parsed)
        buffer.moveReaderIndex(forwardBy: 0)
        #expect(buffer.readableBytes == bytes.count, "parsing does not consume")
    }

    @Test func parsesAHandWrittenPCMUPacket() throws {
        // V=2, no P/X, CC=0; M=0, PT=0; seq 1; ts 160; SSRC 0xCAFEBABE; 4 payload bytes.
        let bytes: [UInt8] = [0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xA0,
                              0xCA, 0xFE, 0xBA, 0xBE, 0xFF, 0x7F, 0x00, 0x80]
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.payloadType == 0 && !packet.marker)
        #expect(packet.sequenceNumber == 1 && packet.timestamp == 160 && packet.ssrc == 0xCAFE_BABE)
        #expect(packet.payload == [0xFF, 0x7F, 0x00, 0x80])
        #expect(packet.bytes == bytes)
    }

    @Test func extensionIsSkippedBeforeThePayload() throws {
        // X=1, extension of one word, then payload [0x55].
        let bytes: [UInt8] = [0x90, 0x08, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1,
                              0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0, 0, 0x55]
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.payloadType == 8)
        #expect(packet.payload == [0x55])
        #expect(packet.headerExtension?.data == [0x10, 0xAA, 0, 0])
    }

    @Test func malformedPacketsAreErrorsNotTraps() {
        let good = RTPPacket(payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: [1, 2]).bytes
        func error(_ bytes: [UInt8]) -> RTPParseError? {
            do { _ = try RTPPacket(parsing: bytes); return nil } catch { return error }
        }
        #expect(error([]) == .tooShort(length: 0))
        #expect(error(Array(good.prefix(11))) == .tooShort(length: 11))
        var v1 = good; v1[0] = 0x40
        #expect(error(v1) == .unsupportedVersion(1))
        var longPadding = good; longPadding[0] |= 0x20; longPadding[longPadding.count - 1] = 200
        #expect(error(longPadding) == .invalidPadding(200))
        var zeroPadding = good; zeroPadding[0] |= 0x20; zeroPadding[zeroPadding.count - 1] = 0
        #expect(error(zeroPadding) == .invalidPadding(0))
        var csrc = good; csrc[0] |= 0x0F
        #expect(error(csrc) == .csrcBeyondLength(csrcCount: 15))
        var ext = good; ext[0] |= 0x10
        #expect(error(ext) == .extensionBeyondLength)
        var extLong = good + [0, 0]; extLong[0] |= 0x10; extLong[12] = 0; extLong[13] = 0; extLong[14] = 0; extLong[15] = 9
        #expect(error(extLong) == .extensionBeyondLength)
        // Every truncation of a valid packet with all features parses or fails cleanly.
        let full = RTPPacket(payloadType: 9, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [7],
                             headerExtension: .init(profile: 1, data: [1, 2, 3, 4]), payload: [1],
                             paddingLength: 3).bytes
        for length in 0..<full.count { _ = error(Array(full.prefix(length))) }
    }

    @Test func serialArithmeticWraps() {
        #expect(RTPSerial.distance(from: 65535, to: 0) == 1)
        #expect(RTPSerial.distance(from: 0, to: 65535) == -1)
        #expect(RTPSerial.distance(from: UInt32.max, to: 159) == 160)
        #expect(RTPSerial.extend(2, near: 65534) == 65538)
        #expect(RTPSerial.extend(65533, near: 65538) == 65533)
    }
}

@Suite struct RTPSenderTests {
    /// A deterministic generator (SplitMix64) so the random initial values are testable.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomInitialValuesComeFromTheInjectedGenerator() {
        var g1 = SeededGenerator(state: 7), g2 = SeededGenerator(state: 7), g3 = SeededGenerator(state: 8)
        let a = RTPSender(payloadType: 0, clockRate: 8000, using: &g1)
        let b = RTPSender(payloadType: 0, clockRate: 8000, using: &g2)
        let c = RTPSender(payloadType: 0, clockRate: 8000, using: &g3)
        #expect(a.ssrc == b.ssrc && a.nextSequenceNumber == b.nextSequenceNumber && a.nextTimestamp == b.nextTimestamp)
        #expect(a.ssrc != c.ssrc)
    }

    @Test func sequenceAndTimestampWrapAndMarkerStartsTalkspurts() {
        var sender = RTPSender(payloadType: 0, clockRate: 8000, ssrc: 42, initialSequenceNumber: 65534,
                               initialTimestamp: UInt32.max - 159)
        let samples = RTPSender.samples(milliseconds: 20, clockRate: 8000)
        #expect(samples == 160)
        #expect(RTPSender.samples(milliseconds: 20, clockRate: 48000) == 960)
        let p1 = sender.next(payload: [1], samples: samples)
        let p2 = sender.next(payload: [2], samples: samples)
        let p3 = sender.next(payload: [3], samples: samples)
        #expect([p1.sequenceNumber, p2.sequenceNumber, p3.sequenceNumber] == [65534, 65535, 0])
        #expect([p1.timestamp, p2.timestamp, p3.timestamp] == [UInt32.max - 159, 0, 160])
        #expect([p1.marker, p2.marker, p3.marker] == [true, false, false])
        #expect(p1.ssrc == 42 && p3.ssrc == 42)
        sender.skip(samples: 800)  // 100 ms silence
        let p4 = sender.next(payload: [4], samples: samples)
        #expect(p4.marker && p4.timestamp == 320 + 800 && p4.sequenceNumber == 1)
        sender.beginTalkspurt()
        let p5 = sender.next(payload: [5], samples: samples)
        let p6 = sender.next(payload: [6], samples: samples)
        #expect(p5.marker && !p6.marker && p6.timestamp &- p5.timestamp == 160)
        #expect(sender.packetCount == 6 && sender.octetCount == 6)
    }
}

@Suite struct RTPPacerTests {
    @Test func lateTimersDoNotDriftAndLongStallsAreCapped() {
        var clock = ManualClock()
        var pacer = RTPPacer(startMs: clock.nowMs)
        var sent = 0
        // A timer that fires 7 ms late every time still sends one packet per 20 ms.
        for _ in 0..<50 {
            let due = pacer.due(nowMs: clock.nowMs)
            sent += due.send
            clock.advance(byMs: pacer.nextDueMs + 7 - clock.nowMs)
        }
        #expect(sent == 50)
        #expect(pacer.nextDueMs == 1000)
        // A 200 ms stall: 10 frames are due, 3 are sent and 7 skipped.
        clock.advance(byMs: 200)
        let burst = pacer.due(nowMs: clock.nowMs)
        #expect(burst.send == 3)
        #expect(burst.send + burst.skipped == Int((clock.nowMs - 1000) / 20) + 1)
        let early = pacer.due(nowMs: clock.nowMs)
        #expect(early.send == 0 && early.skipped == 0)
    }
}
