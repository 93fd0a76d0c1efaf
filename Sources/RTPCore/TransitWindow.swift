/// The spread of one RTP stream's transit times over the last few seconds: how much later than
/// the fastest packet the slowest one arrived, relative to their timestamps.
///
/// A packet's transit is its arrival time minus its RTP timestamp (both in timestamp units; an
/// unknown constant offset that cancels out). Network jitter, a bursty sender (sipp replays a
/// capture in bursts) and a late-waking receiver all show up as transit variation. A playout
/// delay of at least the spread, counted from the fastest transit, plays every packet whose
/// transit stays within the window's range: that is what the jitter buffer aims for.
///
/// Kept as per-second minimum/maximum buckets in a fixed ring, so an insert is O(buckets) with
/// no allocation, and old extremes fall out of the window a second at a time.
struct TransitWindow: Sendable {
    private struct Bucket: Sendable {
        var second: Int64
        var minimum: Int64
        var maximum: Int64
    }

    private var buckets: [Bucket?]
    private var extendedTimestamp: Int64 = 0
    private var lastTimestamp: UInt32?
    private var lastArrivalUnits: Int64 = 0
    private let clockRate: Int64

    /// An empty window of `seconds` one-second buckets for a `clockRate` stream.
    init(seconds: Int, clockRate: Int) {
        precondition(seconds > 0 && clockRate > 0)
        buckets = Array(repeating: nil, count: seconds)
        self.clockRate = Int64(clockRate)
    }

    /// Forgets every transit (a new timebase: sender restart, new SSRC).
    mutating func reset() {
        for index in buckets.indices { buckets[index] = nil }
        lastTimestamp = nil
    }

    /// Adds a packet; returns its transit in timestamp units. A timestamp that jumps more than a
    /// second away from what the arrival times say starts the window anew (a new timebase is
    /// not jitter).
    mutating func add(arrivalMs: Int64, timestamp: UInt32) -> Int64 {
        let arrivalUnits = arrivalMs * clockRate / 1000
        if let last = lastTimestamp {
            let step = RTPSerial.distance(from: last, to: timestamp)
            if abs((arrivalUnits - lastArrivalUnits) - step) > clockRate {
                for index in buckets.indices { buckets[index] = nil }
            }
            extendedTimestamp += step
        }
        lastTimestamp = timestamp
        lastArrivalUnits = arrivalUnits
        let transit = arrivalUnits - extendedTimestamp
        let second = arrivalMs >= 0 ? arrivalMs / 1000 : (arrivalMs - 999) / 1000
        let index = Int(((second % Int64(buckets.count)) + Int64(buckets.count)) % Int64(buckets.count))
        if var bucket = buckets[index], bucket.second == second {
            bucket.minimum = min(bucket.minimum, transit)
            bucket.maximum = max(bucket.maximum, transit)
            buckets[index] = bucket
        } else {
            buckets[index] = Bucket(second: second, minimum: transit, maximum: transit)
        }
        newestSecond = second
        return transit
    }

    private var newestSecond: Int64 = 0

    /// The fastest transit in the window (nil when empty).
    var minimum: Int64? {
        var result: Int64?
        for case let bucket? in buckets where bucket.second > newestSecond - Int64(buckets.count) {
            result = min(result ?? bucket.minimum, bucket.minimum)
        }
        return result
    }

    /// Slowest minus fastest transit in the window, in milliseconds (0 when empty).
    var spreadMs: Int {
        var low: Int64?, high: Int64?
        for case let bucket? in buckets where bucket.second > newestSecond - Int64(buckets.count) {
            low = min(low ?? bucket.minimum, bucket.minimum)
            high = max(high ?? bucket.maximum, bucket.maximum)
        }
        guard let low, let high else { return 0 }
        return Int((high - low) * 1000 / clockRate)
    }
}
