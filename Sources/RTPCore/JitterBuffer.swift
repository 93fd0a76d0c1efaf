/// An adaptive playout buffer for one RTP stream, driven by an injected clock: the caller
/// inserts packets with their arrival time and pops one frame per packetisation interval.
///
/// Playout follows sequence numbers (one packet = one `frameMs` frame). Each packet's transit
/// (arrival minus timestamp) is kept over the last `windowSeconds` (`TransitWindow`); a frame's
/// *lag* is how long after the fastest transit in the window it is played, so within a
/// talkspurt every frame has the same lag whatever its own arrival jitter. The target delay is
/// the window's transit spread (slowest minus fastest), in whole frames within 20-200 ms by
/// default: a lag of at least the spread plays every packet whose transit stays within the
/// window's range, bursts included. A talkspurt starts playing once its first packet's lag
/// reaches the target.
///
/// A packet that is present at its turn is always played, never concealed. When the packet
/// due is not there the buffer returns `.missing` (the caller conceals: Opus PLC, G.711 repeat)
/// and either waits for it (nothing later has arrived: the stream is merely late, so the lag
/// grows by one frame and the late packet counts in `waited`) or skips it as lost (a later
/// packet is already due). After `maxConcealedFrames` with an empty buffer the talkspurt is
/// over and pops return `.empty` until the next one has been buffered. A marker packet after a
/// shorter gap also starts a new talkspurt that is prebuffered.
///
/// The target grows at once when the spread grows or a packet arrives after its turn, and
/// shrinks by one frame at most every `shrinkHoldMs` and only after that long without late
/// packets. The lag follows at the next talkspurt start or, in a stream without gaps, by
/// dropping frames the caller marked as silence (`insert(silent: true)`) once the lag has
/// been more than a frame above target for `shrinkHoldMs` (at once above the maximum delay,
/// which waiting for very late packets can cause). Speech is never dropped to shrink; only a
/// caller that stops popping for longer than the ring holds (1.28 s of 20 ms frames) loses it.
public struct JitterBuffer<Payload: Sendable>: Sendable {
    /// Tuning of the buffer.
    public struct Configuration: Sendable, Hashable {
        /// Packetisation interval: the duration of one packet and of one pop.
        public var frameMs: Int
        /// The codec clock rate (timestamp units per second).
        public var clockRate: Int
        /// Lowest target delay.
        public var minDelayMs: Int
        /// Highest target delay.
        public var maxDelayMs: Int
        /// Target delay before any jitter has been observed.
        public var initialDelayMs: Int
        /// Minimum time between shrink steps, and quiet time (no late packet) before one.
        public var shrinkHoldMs: Int
        /// Frames concealed with an empty buffer before the talkspurt is considered over.
        public var maxConcealedFrames: Int
        /// How far back the transit spread (and so the target) remembers, in seconds.
        public var windowSeconds: Int

        /// The defaults: 20 ms frames at 8 kHz, 20-200 ms delay starting at 40 ms, 1 s shrink
        /// hold, 100 ms of concealment before going idle, a 10 s transit window.
        public init(frameMs: Int = 20, clockRate: Int = 8000, minDelayMs: Int = 20, maxDelayMs: Int = 200,
                    initialDelayMs: Int = 40, shrinkHoldMs: Int = 1000, maxConcealedFrames: Int = 5,
                    windowSeconds: Int = 10) {
            self.frameMs = frameMs
            self.clockRate = clockRate
            self.minDelayMs = minDelayMs
            self.maxDelayMs = maxDelayMs
            self.initialDelayMs = initialDelayMs
            self.shrinkHoldMs = shrinkHoldMs
            self.maxConcealedFrames = maxConcealedFrames
            self.windowSeconds = windowSeconds
        }
    }

    /// What to play for the current frame.
    public enum Output: Sendable {
        /// Nothing to play (before the first talkspurt, or between talkspurts).
        case empty
        /// The payload of the packet due now.
        case frame(Payload)
        /// The packet due now is missing: conceal it.
        case missing
    }

    /// Counters and the current adaptation state.
    public struct Statistics: Sendable, Hashable {
        /// Packets accepted into the buffer (not duplicates, not late).
        public var received = 0
        /// Packets seen before (same sequence number).
        public var duplicate = 0
        /// Packets that arrived after their turn had passed; dropped.
        public var late = 0
        /// Packets that arrived after their turn while the buffer was waiting for them: played,
        /// one frame of lag later per frame concealed meanwhile.
        public var waited = 0
        /// Packets given up on at their turn (skipped as lost; includes those that came late).
        public var lost = 0
        /// `.missing` results returned (concealed frames, including waits for late packets and
        /// the frames at the end of a talkspurt before the buffer went idle).
        public var concealed = 0
        /// Of `concealed`, the frames after the stream stopped (the end of a talkspurt): neither
        /// late nor lost packets.
        public var concealedAtEnd = 0
        /// Silent frames dropped to shrink the lag.
        public var silenceDropped = 0
        /// Packets thrown away unplayed although they were not silence: only when the ring
        /// overflowed (the caller stopped popping, or the stream jumped far ahead).
        public var discarded = 0
        /// The current target delay.
        public var targetDelayMs = 0
        /// Time the last played packet spent in the buffer.
        public var lastPlayoutDelayMs = 0
        /// The RFC 3550 interarrival jitter estimate in milliseconds.
        public var jitterMs = 0.0
        /// Slowest minus fastest transit over the window, in milliseconds.
        public var transitSpreadMs = 0
    }

    private struct Slot: Sendable {
        var ext: Int64
        var arrivalMs: Int64
        /// Arrival minus timestamp, in timestamp units (`TransitWindow`).
        var transit: Int64
        var marker: Bool
        var silent: Bool
        var payload: Payload
    }

    /// The configuration in use.
    public let configuration: Configuration
    /// The counters.
    public private(set) var statistics = Statistics()

    private static var capacity: Int { 64 }
    private var slots: [Slot?]
    private var buffered = 0
    private var highestExt: Int64?
    /// Bit i set: sequence `highestExt - i` was received (the duplicate window).
    private var receivedMask: UInt64 = 0
    /// Playing: the next sequence to play. Idle: the lowest buffered sequence (nil if none).
    private var headExt: Int64?
    private var playing = false
    private var lastPlayedExt: Int64?
    private var concealRun = 0
    /// Silent frames played in a row: a pause long enough to shorten starts at `pauseFrames`.
    private var silentRun = 0
    private static var pauseFrames: Int { 5 }
    /// The concealed run that ended the last talkspurt, counted in `concealedAtEnd` until the
    /// next packet shows whether the stream had stopped or merely stalled.
    private var endedRun = 0
    private var targetDelayMs: Int
    private var transits: TransitWindow
    private var jitterUnits = 0.0
    private var lastArrival: (ms: Int64, timestamp: UInt32)?
    private var lastLateMs: Int64 = .min / 2
    private var lastShrinkMs: Int64 = -1 << 40
    private var excessSinceMs: Int64?

    /// An empty buffer.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.frameMs > 0 && configuration.clockRate > 0 && configuration.windowSeconds > 0
                     && configuration.minDelayMs <= configuration.maxDelayMs)
        precondition(configuration.maxDelayMs / configuration.frameMs < Self.capacity / 2,
                     "the ring must hold the longest delay with room for reordering")
        self.configuration = configuration
        slots = Array(repeating: nil, count: Self.capacity)
        transits = TransitWindow(seconds: configuration.windowSeconds, clockRate: configuration.clockRate)
        targetDelayMs = min(max(configuration.initialDelayMs, configuration.minDelayMs), configuration.maxDelayMs)
        statistics.targetDelayMs = targetDelayMs
    }

    /// The current target playout delay in milliseconds.
    public var targetDelay: Int { targetDelayMs }

    /// Forgets all packets and the playout position (new SSRC, re-INVITE); statistics and the
    /// learnt delay are kept.
    public mutating func reset() {
        for index in slots.indices { slots[index] = nil }
        buffered = 0
        highestExt = nil
        receivedMask = 0
        headExt = nil
        playing = false
        lastPlayedExt = nil
        concealRun = 0
        endedRun = 0
        lastArrival = nil
        transits.reset()
    }

    /// Adds a packet that arrived at `arrivalMs` (same clock as `pop`). `silent`: the caller
    /// judged the payload to be silence (or line noise), which the buffer may drop to shrink
    /// its delay; other frames are never dropped for that.
    public mutating func insert(sequenceNumber: UInt16, timestamp: UInt32, marker: Bool = false,
                                arrivalMs: Int64, silent: Bool = false, payload: Payload) {
        var ext: Int64
        if let highest = highestExt {
            ext = RTPSerial.extend(sequenceNumber, near: highest)
            let delta = ext - highest
            if abs(delta) > 3000 {  // RFC 3550 A.1 MAX_DROPOUT: the sender restarted its numbering
                reset()
                return insert(sequenceNumber: sequenceNumber, timestamp: timestamp, marker: marker,
                              arrivalMs: arrivalMs, silent: silent, payload: payload)
            }
            if delta > 0 {
                receivedMask = delta >= 64 ? 1 : (receivedMask << UInt64(delta)) | 1
                highestExt = ext
            } else {
                let bit: UInt64 = -delta < 64 ? 1 << UInt64(-delta) : 0
                if bit == 0 || receivedMask & bit != 0 {
                    statistics.duplicate += bit == 0 ? 0 : 1
                    statistics.late += bit == 0 ? 1 : 0
                    return
                }
                receivedMask |= bit
            }
        } else {
            ext = Int64(sequenceNumber) + (1 << 20)
            highestExt = ext
            receivedMask = 1
        }
        updateJitter(arrivalMs: arrivalMs, timestamp: timestamp)

        let alreadyPlayed = lastPlayedExt.map { ext <= $0 } ?? false
        if alreadyPlayed || (playing && ext < headExt ?? ext) {
            // Given up on already: its transit is an outlier the window need not chase.
            statistics.late += 1
            lastLateMs = arrivalMs
            raiseTarget(to: targetDelayMs + configuration.frameMs)
            return
        }
        let transit = transits.add(arrivalMs: arrivalMs, timestamp: timestamp)
        if playing, ext == headExt, concealRun > 0 {
            // Its turn came before it did, and the buffer waited: late, but played.
            statistics.waited += 1
            lastLateMs = arrivalMs
        } else if !playing, endedRun > 0, let last = lastPlayedExt, ext == last + 1, !marker {
            // The stream went on where it stopped: it had stalled, not ended.
            statistics.concealedAtEnd -= endedRun
            statistics.waited += 1
            lastLateMs = arrivalMs
        }
        endedRun = 0
        adaptTarget(arrivalMs: arrivalMs)
        statistics.received += 1
        if !playing, headExt == nil || ext < headExt! { headExt = ext }
        if let head = headExt, ext - head >= Int64(Self.capacity) {
            advanceHead(to: ext - Int64(Self.capacity) + 1)
        }
        if slots[index(ext)] != nil { buffered -= 1 }
        slots[index(ext)] = Slot(ext: ext, arrivalMs: arrivalMs, transit: transit, marker: marker, silent: silent,
                                 payload: payload)
        buffered += 1
    }

    /// The frame to play at `nowMs`; call once per `frameMs`.
    public mutating func pop(nowMs: Int64) -> Output {
        guard var head = headExt else { return .empty }
        if !playing {
            guard let first = slot(head), lag(of: first, nowMs: nowMs) >= Int64(targetDelayMs) else { return .empty }
            playing = true
            concealRun = 0
            excessSinceMs = nil
        }
        if let start = slot(head), start.marker, concealRun > 0, buffered == 1 || slot(head + 1) == nil,
           lag(of: start, nowMs: nowMs) < Int64(targetDelayMs) {
            // A new talkspurt after a short silence: prebuffer it like the first one, so the
            // delay it plays with is the current target.
            playing = false
            concealRun = 0
            return .empty
        }
        if var due = slot(head) {
            // Silence is dropped only inside a real pause (100 ms of it played, the next frame
            // silent too), so a stop's closure or a word's edge is never shortened.
            if shouldDiscard(due, nowMs: nowMs), silentRun >= Self.pauseFrames, let next = slot(head + 1), next.silent {
                take(head)
                statistics.silenceDropped += 1
                head += 1
                due = next
            }
            take(head)
            headExt = head + 1
            lastPlayedExt = head
            silentRun = due.silent ? silentRun + 1 : 0
            concealRun = 0
            statistics.lastPlayoutDelayMs = Int(nowMs - due.arrivalMs)
            return .frame(due.payload)
        }
        statistics.concealed += 1
        concealRun += 1
        if buffered > 0 {
            // A later packet is here: skip the missing one once its turn has come by the
            // later one's lag (it would have had the target's lag by now).
            if let later = firstBuffered(after: head),
               lag(of: later, nowMs: nowMs) + (later.ext - head) * Int64(configuration.frameMs) >= Int64(targetDelayMs) {
                statistics.lost += 1
                lastPlayedExt = head
                headExt = head + 1
            }
            return .missing
        }
        if concealRun > configuration.maxConcealedFrames {
            statistics.concealed -= 1
            endedRun = concealRun - 1
            statistics.concealedAtEnd += endedRun
            playing = false
            headExt = nil
            lastPlayedExt = head - 1
            return .empty
        }
        return .missing
    }

    private func index(_ ext: Int64) -> Int { Int(ext & Int64(Self.capacity - 1)) }

    private func slot(_ ext: Int64) -> Slot? {
        guard let slot = slots[index(ext)], slot.ext == ext else { return nil }
        return slot
    }

    private mutating func take(_ ext: Int64) {
        if slot(ext) != nil {
            slots[index(ext)] = nil
            buffered -= 1
        }
    }

    private func firstBuffered(after ext: Int64) -> Slot? {
        guard let highest = highestExt, highest > ext else { return nil }
        for candidate in (ext + 1)...min(highest, ext + Int64(Self.capacity)) {
            if let found = slot(candidate) { return found }
        }
        return nil
    }

    /// How long after the window's fastest transit `slot` is played at `nowMs`: its time in the
    /// buffer plus how much slower than the fastest packet it came.
    private func lag(of slot: Slot, nowMs: Int64) -> Int64 {
        let slower = max(0, slot.transit - (transits.minimum ?? slot.transit))
        return nowMs - slot.arrivalMs + slower * 1000 / Int64(configuration.clockRate)
    }

    /// Drops everything before `newHead` (overflow: the caller stopped popping or the stream
    /// jumped far ahead).
    private mutating func advanceHead(to newHead: Int64) {
        guard let head = headExt else { return }
        for ext in head..<min(newHead, head + Int64(Self.capacity)) where slot(ext) != nil {
            take(ext)
            statistics.discarded += 1
        }
        headExt = newHead
        if !playing { headExt = firstBuffered(after: newHead - 1)?.ext ?? newHead }
        lastPlayedExt = newHead - 1
    }

    /// Whether to drop `due` instead of playing it: it is silence, and the lag is above the
    /// maximum delay (which waiting for very late packets can cause) or has been more than a
    /// frame above target for `shrinkHoldMs`. Speech is never dropped: a lag too long for a
    /// while costs latency, a dropped syllable costs the caller's request.
    private mutating func shouldDiscard(_ due: Slot, nowMs: Int64) -> Bool {
        let lag = lag(of: due, nowMs: nowMs)
        if lag > Int64(configuration.maxDelayMs + configuration.frameMs), due.silent { return true }
        guard lag > Int64(targetDelayMs + configuration.frameMs) else {
            excessSinceMs = nil
            return false
        }
        guard let since = excessSinceMs else {
            excessSinceMs = nowMs
            return false
        }
        // Once the excess has lasted, every silent frame goes until the lag is back near the
        // target; speech waits for the next silence (the excess is kept, not restarted).
        return nowMs - since >= Int64(configuration.shrinkHoldMs) && due.silent
    }

    private mutating func raiseTarget(to wanted: Int) {
        targetDelayMs = max(targetDelayMs, min(configuration.maxDelayMs, wanted))
        statistics.targetDelayMs = targetDelayMs
    }

    /// The target the transit spread implies: up at once, down a frame per `shrinkHoldMs` and
    /// only `shrinkHoldMs` after the last late packet.
    private mutating func adaptTarget(arrivalMs: Int64) {
        // The initial target holds for one shrink period: no evidence yet that it is too much.
        if lastShrinkMs < -(1 << 39) { lastShrinkMs = arrivalMs }
        let frame = configuration.frameMs
        let spread = transits.spreadMs
        statistics.transitSpreadMs = spread
        let desired = min(configuration.maxDelayMs, max(configuration.minDelayMs, (spread + frame - 1) / frame * frame))
        if desired > targetDelayMs {
            raiseTarget(to: desired)
        } else if desired < targetDelayMs, arrivalMs - lastLateMs >= Int64(configuration.shrinkHoldMs),
                  arrivalMs - lastShrinkMs >= Int64(configuration.shrinkHoldMs) {
            targetDelayMs = max(desired, targetDelayMs - frame)
            statistics.targetDelayMs = targetDelayMs
            lastShrinkMs = arrivalMs
        }
    }

    /// RFC 3550 section 6.4.1 / A.8 interarrival jitter (reported, as RTCP does).
    private mutating func updateJitter(arrivalMs: Int64, timestamp: UInt32) {
        defer { lastArrival = (arrivalMs, timestamp) }
        guard let last = lastArrival else { return }
        let arrivalUnits = Double(arrivalMs - last.ms) * Double(configuration.clockRate) / 1000
        let d = arrivalUnits - Double(RTPSerial.distance(from: last.timestamp, to: timestamp))
        // A timestamp discontinuity (new prompt source, sender restart) is not network jitter.
        guard abs(d) < Double(configuration.clockRate) else { return }
        jitterUnits += (abs(d) - jitterUnits) / 16
        statistics.jitterMs = jitterUnits * 1000 / Double(configuration.clockRate)
    }
}
