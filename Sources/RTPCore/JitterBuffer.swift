/// An adaptive playout buffer for one RTP stream, driven by an injected clock: the caller
/// inserts packets with their arrival time and pops one frame per packetisation interval.
///
/// Playout follows sequence numbers (one packet = one `frameMs` frame). A talkspurt starts
/// playing once its first packet has waited the target delay. When the next packet is not
/// there the buffer returns `.missing` (the caller conceals: Opus PLC, G.711 repeat) and
/// either waits for it (nothing later has arrived: the stream is merely late, so the actual
/// delay grows by one frame) or skips it as lost (a later packet is already due). After
/// `maxConcealedFrames` with an empty buffer the talkspurt is over and pops return `.empty`
/// (nothing to play: silence or comfort noise) until the next one has been buffered. A marker
/// packet after a shorter gap also starts a new talkspurt that is prebuffered.
///
/// The target delay follows the RFC 3550 interarrival jitter estimate (target = minimum +
/// 3 x jitter, in whole frames, within 20-200 ms by default). It grows at once when jitter
/// rises or a packet arrives after its turn, and shrinks by one frame at most every
/// `shrinkHoldMs` and only after that long without late packets. The actual delay follows
/// at the next talkspurt start, or, in a stream without silence, by discarding one frame when
/// the delay has exceeded the target by more than a frame for `shrinkHoldMs` (at once when it
/// exceeds the maximum delay, which waiting for late packets can cause).
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

        /// The defaults: 20 ms frames at 8 kHz, 20-200 ms delay starting at 40 ms, 1 s shrink
        /// hold, 100 ms of concealment before going idle.
        public init(frameMs: Int = 20, clockRate: Int = 8000, minDelayMs: Int = 20, maxDelayMs: Int = 200,
                    initialDelayMs: Int = 40, shrinkHoldMs: Int = 1000, maxConcealedFrames: Int = 5) {
            self.frameMs = frameMs
            self.clockRate = clockRate
            self.minDelayMs = minDelayMs
            self.maxDelayMs = maxDelayMs
            self.initialDelayMs = initialDelayMs
            self.shrinkHoldMs = shrinkHoldMs
            self.maxConcealedFrames = maxConcealedFrames
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
        /// Packets given up on at their turn (skipped as lost; includes those that came late).
        public var lost = 0
        /// `.missing` results returned (concealed frames, including waits for late packets).
        public var concealed = 0
        /// Frames thrown away to shrink the delay or because the buffer overflowed.
        public var discarded = 0
        /// The current target delay.
        public var targetDelayMs = 0
        /// Time the last played packet spent in the buffer.
        public var lastPlayoutDelayMs = 0
        /// The RFC 3550 interarrival jitter estimate in milliseconds.
        public var jitterMs = 0.0
    }

    private struct Slot: Sendable {
        var ext: Int64
        var timestamp: UInt32
        var arrivalMs: Int64
        var marker: Bool
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
    private var targetDelayMs: Int
    private var jitterUnits = 0.0
    private var lastArrival: (ms: Int64, timestamp: UInt32)?
    private var lastLateMs: Int64 = .min / 2
    private var lastShrinkMs: Int64 = -1 << 40
    private var excessSinceMs: Int64?

    /// An empty buffer.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.frameMs > 0 && configuration.clockRate > 0
                     && configuration.minDelayMs <= configuration.maxDelayMs)
        precondition(configuration.maxDelayMs / configuration.frameMs < Self.capacity / 2,
                     "the ring must hold the longest delay with room for reordering")
        self.configuration = configuration
        slots = Array(repeating: nil, count: Self.capacity)
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
        lastArrival = nil
    }

    /// Adds a packet that arrived at `arrivalMs` (same clock as `pop`).
    public mutating func insert(sequenceNumber: UInt16, timestamp: UInt32, marker: Bool = false,
                                arrivalMs: Int64, payload: Payload) {
        var ext: Int64
        if let highest = highestExt {
            ext = RTPSerial.extend(sequenceNumber, near: highest)
            let delta = ext - highest
            if abs(delta) > 3000 {  // RFC 3550 A.1 MAX_DROPOUT: the sender restarted its numbering
                reset()
                return insert(sequenceNumber: sequenceNumber, timestamp: timestamp, marker: marker,
                              arrivalMs: arrivalMs, payload: payload)
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
            statistics.late += 1
            lastLateMs = arrivalMs
            targetDelayMs = min(configuration.maxDelayMs, targetDelayMs + configuration.frameMs)
            statistics.targetDelayMs = targetDelayMs
            return
        }
        statistics.received += 1
        if !playing, headExt == nil || ext < headExt! { headExt = ext }
        if let head = headExt, ext - head >= Int64(Self.capacity) {
            advanceHead(to: ext - Int64(Self.capacity) + 1)
        }
        if slots[index(ext)] != nil { buffered -= 1 }
        slots[index(ext)] = Slot(ext: ext, timestamp: timestamp, arrivalMs: arrivalMs, marker: marker, payload: payload)
        buffered += 1
    }

    /// The frame to play at `nowMs`; call once per `frameMs`.
    public mutating func pop(nowMs: Int64) -> Output {
        guard var head = headExt else { return .empty }
        if !playing {
            guard let first = slot(head), nowMs - first.arrivalMs >= Int64(targetDelayMs) else { return .empty }
            playing = true
            concealRun = 0
            excessSinceMs = nil
        }
        if let start = slot(head), start.marker, concealRun > 0, buffered == 1 || slot(head + 1) == nil,
           nowMs - start.arrivalMs < Int64(targetDelayMs) {
            // A new talkspurt after a short silence: prebuffer it like the first one, so the
            // delay it plays with is the current target.
            playing = false
            concealRun = 0
            return .empty
        }
        if var due = slot(head) {
            if shouldDiscardForShrink(due, nowMs: nowMs), let next = slot(head + 1) {
                take(head)
                statistics.discarded += 1
                head += 1
                due = next
            }
            take(head)
            headExt = head + 1
            lastPlayedExt = head
            concealRun = 0
            statistics.lastPlayoutDelayMs = Int(nowMs - due.arrivalMs)
            return .frame(due.payload)
        }
        statistics.concealed += 1
        concealRun += 1
        if buffered > 0 {
            // A later packet is here: skip the missing one once that packet is due.
            if let later = firstBuffered(after: head),
               later.arrivalMs + Int64(targetDelayMs) - (later.ext - head) * Int64(configuration.frameMs) <= nowMs {
                statistics.lost += 1
                lastPlayedExt = head
                headExt = head + 1
            }
            return .missing
        }
        if concealRun > configuration.maxConcealedFrames {
            statistics.concealed -= 1
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

    /// Whether the delay has been more than a frame above target for `shrinkHoldMs`, or above
    /// the maximum delay at all.
    private mutating func shouldDiscardForShrink(_ due: Slot, nowMs: Int64) -> Bool {
        let delay = nowMs - due.arrivalMs
        // Waiting for late packets can push the delay past the maximum: catch up at once.
        if delay > Int64(configuration.maxDelayMs + configuration.frameMs) { return true }
        guard delay > Int64(targetDelayMs + configuration.frameMs) else {
            excessSinceMs = nil
            return false
        }
        guard let since = excessSinceMs else {
            excessSinceMs = nowMs
            return false
        }
        guard nowMs - since >= Int64(configuration.shrinkHoldMs) else { return false }
        excessSinceMs = nowMs
        return true
    }

    /// RFC 3550 section 6.4.1 / A.8 interarrival jitter, then the target it implies.
    private mutating func updateJitter(arrivalMs: Int64, timestamp: UInt32) {
        defer { lastArrival = (arrivalMs, timestamp) }
        guard let last = lastArrival else {
            // The initial target holds for one shrink period: no evidence yet that it is too much.
            if lastShrinkMs < 0 { lastShrinkMs = arrivalMs }
            return
        }
        let arrivalUnits = Double(arrivalMs - last.ms) * Double(configuration.clockRate) / 1000
        let d = arrivalUnits - Double(RTPSerial.distance(from: last.timestamp, to: timestamp))
        // A timestamp discontinuity (new prompt source, sender restart) is not network jitter.
        guard abs(d) < Double(configuration.clockRate) else { return }
        jitterUnits += (abs(d) - jitterUnits) / 16
        let jitterMs = jitterUnits * 1000 / Double(configuration.clockRate)
        statistics.jitterMs = jitterMs
        let frame = configuration.frameMs
        let wanted = configuration.minDelayMs + Int((3 * jitterMs).rounded())
        let desired = min(configuration.maxDelayMs, (wanted + frame - 1) / frame * frame)
        if desired > targetDelayMs {
            targetDelayMs = desired
        } else if desired < targetDelayMs, arrivalMs - lastLateMs >= Int64(configuration.shrinkHoldMs),
                  arrivalMs - lastShrinkMs >= Int64(configuration.shrinkHoldMs) {
            targetDelayMs = max(configuration.minDelayMs, targetDelayMs - frame)
            lastShrinkMs = arrivalMs
        }
        statistics.targetDelayMs = targetDelayMs
    }
}
