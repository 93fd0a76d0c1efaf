/// RTCP for one call (RFC 3550 section 6): when to send the next compound report, what it
/// says (SR when we have sent RTP, else RR; a report block about the caller's stream; SDES
/// CNAME), what the caller's own reports say about our stream, and the BYE at the end.
///
/// No socket and no clock: the media loop passes its millisecond clock, the wall clock as NTP
/// for sender reports, and a random generator for the interval (0.5–1.5 × the mean, so that
/// many calls started together do not report in lockstep).
public struct RTCPSession: Sendable {
    /// What the far end last said about the stream we send (from its SR or RR report block).
    public struct RemoteReception: Sendable, Hashable {
        /// Fraction of our packets lost in its last interval, 0...1.
        public var fractionLost: Double
        /// Cumulative packets of ours it lost.
        public var cumulativeLost: Int32
        /// Its interarrival jitter estimate of our stream, in milliseconds.
        public var jitterMs: Double
        /// Round-trip time from LSR/DLSR, in milliseconds, when it had an SR of ours.
        public var roundTripMs: Double?
    }

    /// Our canonical name (SDES CNAME), stable for the call, e.g. `voicegate@10.0.0.5`.
    public let cname: String
    /// The mean report interval in milliseconds (RFC 3550: 5 s).
    public let meanIntervalMs: Int64
    /// Our media clock rate (for the jitter the caller reports about us).
    public let localClockRate: Int
    /// When the next report is due (the media loop's clock).
    public private(set) var nextReportMs: Int64
    /// Statistics of the caller's stream, from its first RTP packet on.
    public private(set) var reception: ReceptionStatistics?
    /// What the caller reported about our stream most recently.
    public private(set) var remote: RemoteReception?
    /// Compound packets received and parsed.
    public private(set) var packetsReceived = 0
    /// Reports (compound packets) sent.
    public private(set) var reportsSent = 0

    /// A session whose first report is due after half a randomised interval (RFC 3550 6.2:
    /// the first interval is halved so a new participant is heard from soon).
    public init(cname: String, meanIntervalMs: Int64 = 5000, localClockRate: Int, startMs: Int64,
                using generator: inout some RandomNumberGenerator) {
        self.cname = cname
        self.meanIntervalMs = max(1, meanIntervalMs)
        self.localClockRate = localClockRate
        self.nextReportMs = startMs + Self.randomised(self.meanIntervalMs / 2, using: &generator)
    }

    /// `mean` × a uniform factor in 0.5...1.5.
    static func randomised(_ mean: Int64, using generator: inout some RandomNumberGenerator) -> Int64 {
        let factor = Double.random(in: 0.5...1.5, using: &generator)
        return max(1, Int64((Double(mean) * factor).rounded()))
    }

    /// Notes one RTP packet of the caller's stream (the first one sets its SSRC and clock rate;
    /// a new SSRC restarts the statistics).
    public mutating func rtpReceived(ssrc: UInt32, sequenceNumber: UInt16, timestamp: UInt32, clockRate: Int,
                                     arrivalMs: Int64) {
        if reception?.ssrc != ssrc { reception = ReceptionStatistics(ssrc: ssrc, clockRate: clockRate) }
        reception?.record(sequenceNumber: sequenceNumber, timestamp: timestamp, arrivalMs: arrivalMs)
    }

    /// Parses a compound packet from the caller: its SR feeds our LSR/DLSR, and a report block
    /// about `localSSRC` updates `remote`. Returns the packets (for logs).
    @discardableResult
    public mutating func rtcpReceived(_ bytes: [UInt8], arrivalMs: Int64, arrivalNTP: UInt64,
                                      localSSRC: UInt32) throws(RTCPParseError) -> [RTCPPacket] {
        let packets = try RTCPCompound.parse(bytes)
        packetsReceived += 1
        for packet in packets {
            let blocks: [RTCPReportBlock]
            switch packet {
            case .senderReport(let sr):
                if sr.ssrc == reception?.ssrc {
                    reception?.recordSenderReport(ntpTimestamp: sr.ntpTimestamp, arrivalMs: arrivalMs)
                }
                blocks = sr.reports
            case .receiverReport(_, let reports):
                blocks = reports
            default:
                continue
            }
            for block in blocks where block.ssrc == localSSRC {
                remote = RemoteReception(fractionLost: Double(block.fractionLost) / 256,
                                         cumulativeLost: block.cumulativeLost,
                                         jitterMs: Double(block.jitter) * 1000 / Double(localClockRate),
                                         roundTripMs: block.roundTripMs(arrivalNTP: arrivalNTP))
            }
        }
        return packets
    }

    /// Whether a report is due at `nowMs`.
    public func isDue(nowMs: Int64) -> Bool { nowMs >= nextReportMs }

    /// The compound report to send now (SR + report block + SDES when `sender` is given, RR +
    /// SDES otherwise), and the next one scheduled a randomised interval later.
    /// - Parameters:
    ///   - localSSRC: our RTP stream's SSRC.
    ///   - sender: our sender info (NTP now, the RTP timestamp of now, counts), nil before we sent.
    public mutating func makeReport(nowMs: Int64, localSSRC: UInt32, sender: RTCPSenderReport?,
                                    using generator: inout some RandomNumberGenerator) -> [UInt8] {
        nextReportMs = nowMs + Self.randomised(meanIntervalMs, using: &generator)
        reportsSent += 1
        return RTCPCompound.serialize(compound(nowMs: nowMs, localSSRC: localSSRC, sender: sender))
    }

    /// The last compound packet of the call: the report, SDES and a BYE with `reason`
    /// (RFC 3550 6.6).
    public mutating func makeGoodbye(nowMs: Int64, localSSRC: UInt32, sender: RTCPSenderReport?,
                                     reason: String?) -> [UInt8] {
        reportsSent += 1
        let packets = compound(nowMs: nowMs, localSSRC: localSSRC, sender: sender)
            + [.bye(ssrcs: [localSSRC], reason: reason)]
        return RTCPCompound.serialize(packets)
    }

    private mutating func compound(nowMs: Int64, localSSRC: UInt32, sender: RTCPSenderReport?) -> [RTCPPacket] {
        var blocks: [RTCPReportBlock] = []
        if var statistics = reception, statistics.received > 0 {
            blocks.append(statistics.makeReportBlock(nowMs: nowMs))
            reception = statistics
        }
        var sr = sender
        sr?.ssrc = localSSRC
        return RTCPCompound.report(senderReport: sr, receiverSSRC: localSSRC, reports: blocks, cname: cname)
    }
}
