import Testing
import VoiceGateTestSupport
@testable import RTPCore

@Suite struct TelephoneEventTests {
    @Test func payloadRoundTrip() throws {
        let event = TelephoneEvent(event: 11, isEnd: true, volume: 13, duration: 1600)
        #expect(event.bytes == [11, 0x80 | 13, 0x06, 0x40])
        #expect(try TelephoneEvent(parsing: event.bytes) == event)
        #expect(event.digit == "#")
        #expect(throws: TelephoneEventError.tooShort(length: 3)) { try TelephoneEvent(parsing: [1, 2, 3]) }
        for key in "0123456789*#ABCD" {
            #expect(TelephoneEvent.event(forDigit: key).flatMap(TelephoneEvent.digit(forEvent:)) == key)
        }
        #expect(TelephoneEvent.event(forDigit: "x") == nil)
    }

    /// The packets of one press sent through a sender, with their send times on a manual clock.
    func sendPress(_ digit: Character, at startMs: Int64, durationMs: Int, sender: inout RTPSender,
                   pt: UInt8 = 101) -> [(ms: Int64, packet: RTPPacket)] {
        let timestamp = sender.nextTimestamp
        let schedule = TelephoneEventSender().packets(digit: digit, durationMs: durationMs)!
        sender.skip(samples: durationMs * 8)
        return schedule.map { item in
            (startMs + Int64(item.offsetMs),
             sender.packet(payloadType: pt, payload: item.event.bytes, timestamp: timestamp, marker: item.marker))
        }
    }

    @Test func senderScheduleHasMarkerUpdatesAndThreeEnds() {
        let packets = TelephoneEventSender().packets(digit: "5", durationMs: 120)!
        #expect(packets.map(\.offsetMs) == [0, 50, 100, 120, 140, 160])
        #expect(packets.map(\.marker) == [true, false, false, false, false, false])
        #expect(packets.map(\.event.isEnd) == [false, false, false, true, true, true])
        #expect(packets.map(\.event.duration) == [0, 400, 800, 960, 960, 960])
        #expect(Set(packets.map(\.event.event)) == [5])
        #expect(TelephoneEventSender().packets(digit: "?") == nil)
    }

    @Test func endTripletsGiveOneDigitAndSameKeyTwiceGivesTwo() {
        var sender = RTPSender(payloadType: 0, clockRate: 8000, ssrc: 9, initialSequenceNumber: 65530,
                               initialTimestamp: 1000)
        var clock = ManualClock()
        var wire = sendPress("1", at: clock.nowMs, durationMs: 100, sender: &sender)
        clock.advance(byMs: 300)
        wire += sendPress("1", at: clock.nowMs, durationMs: 100, sender: &sender)
        var receiver = TelephoneEventReceiver()
        var began: [Character] = [], ended: [Character] = []
        for (ms, packet) in wire {
            for update in receiver.receive(packet, arrivalMs: ms) {
                switch update {
                case .began(let press): began.append(press.digit)
                case .ended(let press, let expired): #expect(!expired); #expect(press.duration == 800); ended.append(press.digit)
                }
            }
        }
        #expect(began == ["1", "1"])
        #expect(ended == ["1", "1"])
    }

    @Test func retransmitsReorderingAndLostStartAreHandled() {
        var sender = RTPSender(payloadType: 0, clockRate: 8000, ssrc: 9, initialSequenceNumber: 0, initialTimestamp: 0)
        let first = sendPress("4", at: 0, durationMs: 150, sender: &sender)
        let second = sendPress("2", at: 400, durationMs: 100, sender: &sender)
        // Start of the first press lost; second press's update arrives before its start;
        // a stale end of the first press arrives after the second began; everything duplicated.
        var arrivals = Array(first.dropFirst()) + [second[1], second[0]] + [first.last!] + second.dropFirst(2)
        arrivals += arrivals
        var receiver = TelephoneEventReceiver()
        var log: [String] = []
        for (ms, packet) in arrivals {
            for update in receiver.receive(packet, arrivalMs: ms) {
                switch update {
                case .began(let p): log.append("+\(p.digit)")
                case .ended(let p, _): log.append("-\(p.digit)")
                }
            }
        }
        #expect(log == ["+4", "-4", "+2", "-2"])
    }

    @Test func lostEndPacketsExpire() {
        var clock = ManualClock()
        var receiver = TelephoneEventReceiver(endTimeoutMs: 500)
        let start = TelephoneEvent(event: 7, duration: 0)
        #expect(receiver.receive(start, timestamp: 50, ssrc: 1, arrivalMs: clock.nowMs).count == 1)
        clock.advance(byMs: 400)
        #expect(receiver.expire(nowMs: clock.nowMs).isEmpty)
        clock.advance(byMs: 100)
        let expired = receiver.expire(nowMs: clock.nowMs)
        #expect(expired.count == 1)
        if case .ended(let press, let flag)? = expired.first { #expect(press.digit == "7" && flag) }
        #expect(receiver.expire(nowMs: clock.nowMs + 1000).isEmpty)
    }
}

@Suite struct TelephoneEventLongPressTests {
    @Test func aPressLongerThanTheDurationFieldStaysOnePress() {
        var receiver = TelephoneEventReceiver()
        var began = 0
        func feed(_ event: TelephoneEvent, _ ts: UInt32, _ ms: Int64) {
            for case .began in receiver.receive(event, timestamp: ts, ssrc: 3, arrivalMs: ms) { began += 1 }
        }
        feed(TelephoneEvent(event: 0, duration: 0), 1000, 0)
        feed(TelephoneEvent(event: 0, duration: 0xFFFF), 1000, 8191)
        // RFC 4733 2.5.1.3: the segment continues under timestamp + 0xFFFF.
        feed(TelephoneEvent(event: 0, duration: 400), 1000 + 0xFFFF, 8241)
        feed(TelephoneEvent(event: 0, isEnd: true, duration: 800), 1000 + 0xFFFF, 8291)
        #expect(began == 1)
        feed(TelephoneEvent(event: 0, duration: 0), 1000 + 0xFFFF + 8000, 9300)
        #expect(began == 2)
    }
}
