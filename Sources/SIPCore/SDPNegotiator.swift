/// Our side of SDP offer/answer (RFC 3264) for one call's single audio stream.
///
/// A value type: the call owns it and calls the mutating methods as SIP messages arrive.
/// - INVITE with an offer: `answer(to:)`; on failure send `error.statusCode` (488) with
///   `error.warningHeaderValue(agent:)`.
/// - INVITE without an offer: `makeOffer()` goes in the 200 OK, `accept(answer:)` reads the ACK's body.
/// - re-INVITE: the same calls again. Our `o=` version steps by one only when what we send differs
///   from what we sent last (RFC 3264 8), so a session refresh answers with an identical body.
///
/// Codec choice: by default the first codec of OUR configured preference list that the offer
/// contains, not the offerer's first. RFC 3264 6.1 recommends keeping the offerer's order "unless
/// there is a specific reason"; ours is that the bank's configuration decides which codec its
/// media servers spend CPU on. `Configuration.codecSelection = .offererPreference` honours the
/// offerer's order instead. Either way the answer lists exactly one codec (plus telephone-event),
/// so both directions use the same codec and a mid-stream switch cannot surprise the media loop.
public struct SDPNegotiator: Sendable {
    /// Whose order decides the codec.
    public enum CodecSelection: Sendable, Hashable {
        /// First codec of our configured list that the offer has.
        case localPreference
        /// First format of the offer that is in our list.
        case offererPreference
    }

    /// What we support and where we receive.
    public struct Configuration: Sendable, Hashable {
        /// Our codecs, most preferred first (telephone-event entries here are ignored; see `telephoneEvent`).
        public var codecs: [SDPCodec]
        /// Offer and accept RFC 4733 telephone-event at the clock rate of the chosen codec.
        public var telephoneEvent: Bool
        /// Address we receive RTP on (written in `c=` and `o=`).
        public var address: String
        /// Port we receive RTP on (RTCP on port + 1).
        public var port: Int
        /// `o=` session id, stable for the call.
        public var sessionID: UInt64
        /// `o=` username.
        public var username: String
        /// `s=` text.
        public var sessionName: String
        /// The packet time we ask to receive (`a=ptime`), and send with when the remote gives none.
        public var ptime: Int
        /// Whose preference order picks the codec.
        public var codecSelection: CodecSelection

        /// Creates a configuration; defaults: telephone-event on, `o=voicegate`, `s=VoiceGate`, 20 ms, our order.
        public init(codecs: [SDPCodec] = [.pcmu, .pcma, .opus], telephoneEvent: Bool = true, address: String,
                    port: Int, sessionID: UInt64, username: String = "voicegate", sessionName: String = "VoiceGate",
                    ptime: Int = 20, codecSelection: CodecSelection = .localPreference) {
            self.codecs = codecs
            self.telephoneEvent = telephoneEvent
            self.address = address
            self.port = port
            self.sessionID = sessionID
            self.username = username
            self.sessionName = sessionName
            self.ptime = ptime
            self.codecSelection = codecSelection
        }
    }

    /// Settings; changing the address or port makes the next description differ (so its version steps).
    public var configuration: Configuration
    /// Our `o=` version as last sent.
    public private(set) var sessionVersion: UInt64
    /// The direction we are willing to have: sendrecv normally, sendonly while we hold the remote.
    public private(set) var localDirection: SDPDirection = .sendrecv
    /// The media as last negotiated, nil before the first exchange completes.
    public private(set) var current: NegotiatedMedia?
    /// Our last description sent (offer or answer).
    public private(set) var lastSent: SessionDescription?
    /// Our offer awaiting an answer.
    public private(set) var pendingOffer: SessionDescription?

    /// Creates a negotiator; the first description we send has version `initialVersion`.
    public init(configuration: Configuration, initialVersion: UInt64 = 1) {
        self.configuration = configuration
        self.sessionVersion = initialVersion
    }

    private var mediaCodecs: [SDPCodec] { configuration.codecs.filter { !$0.isTelephoneEvent } }

    // MARK: answering

    /// Parses an offer body and answers it; an unreadable body gives `.malformed` (send 400).
    public mutating func answer(toBody body: String) -> Result<SDPAnswerResult, SDPNegotiationError> {
        do throws(SDPParseError) {
            return answer(to: try SessionDescription(parsing: body))
        } catch {
            return .failure(.malformed(error))
        }
    }

    /// Answers an offer (RFC 3264 6): the first usable audio stream is accepted with one codec and
    /// the matching telephone-event; every other stream is rejected with port 0.
    public mutating func answer(to offer: SessionDescription) -> Result<SDPAnswerResult, SDPNegotiationError> {
        var sawAudio = false
        var protos: [String] = []
        var encodings: [String] = []
        var chosen: (index: Int, format: String, codec: SDPCodec)?
        for (index, section) in offer.media.enumerated() where section.media.sdpEqualsIgnoringCase("audio") && section.port != 0 {
            sawAudio = true
            guard Self.supportedProtos.contains(section.proto.uppercased()) else {
                protos.append(section.proto)
                continue
            }
            if let pick = choose(in: section) {
                chosen = (index, pick.format, pick.codec)
                break
            }
            encodings += section.formats.map { format in
                section.rtpMap(for: format).map { "\($0.encodingName)/\($0.clockRate)" } ?? format
            }
        }
        guard sawAudio else { return .failure(.noAudioStream) }
        guard let chosen else {
            return .failure(encodings.isEmpty ? .unsupportedTransport(protos) : .noCommonCodec(offered: encodings))
        }

        let section = offer.media[chosen.index]
        // Parsed bodies always have one; a description built in code might not.
        guard let remoteConnection = offer.effectiveConnection(ofMediaAt: chosen.index) else {
            return .failure(.malformed(SDPParseError(line: 0, reason: "no c= line for the audio stream")))
        }
        var offered = offer.effectiveDirection(ofMediaAt: chosen.index)
        if remoteConnection.isHoldAddress {
            // RFC 2543 hold (RFC 3264 8.4): the remote receives nothing whatever its attribute says.
            offered = offered.intersection(.sendonly)
        }
        let direction = offered.reversed.intersection(localDirection)
        let telephoneEvent = telephoneEventFormat(in: section, clockRate: chosen.codec.clockRate)

        var answerMedia: [SDPMediaDescription] = []
        for (index, other) in offer.media.enumerated() {
            if index == chosen.index {
                answerMedia.append(audioSection(
                    proto: section.proto, codec: chosen.codec, payloadType: UInt8(chosen.format)!,
                    telephoneEvents: telephoneEvent.map { [(UInt8($0)!, chosen.codec.clockRate)] } ?? [],
                    direction: direction))
            } else {
                answerMedia.append(SDPMediaDescription(media: other.media, port: 0, proto: other.proto,
                                                       formats: other.formats))
            }
        }
        let answer = stamp(description(media: answerMedia))
        pendingOffer = nil

        let media = negotiated(index: chosen.index, remote: section, connection: remoteConnection,
                               codec: chosen.codec, payloadType: UInt8(chosen.format)!,
                               telephoneEventPayloadType: telephoneEvent.flatMap { UInt8($0) },
                               direction: direction)
        current = media
        return .success(SDPAnswerResult(answer: answer, media: media))
    }

    /// Profiles we can answer: plain RTP (AVPF is AVP plus optional feedback we simply do not send).
    static let supportedProtos: Set<String> = ["RTP/AVP", "RTP/AVPF"]

    /// The codec and the offer's payload type for it, per `codecSelection`.
    private func choose(in section: SDPMediaDescription) -> (format: String, codec: SDPCodec)? {
        let offered = section.formats.compactMap { format in section.rtpMap(for: format).map { (format, $0) } }
        switch configuration.codecSelection {
        case .localPreference:
            for codec in mediaCodecs {
                if let match = offered.first(where: { codec.matches($0.1) }) { return (match.0, codec) }
            }
        case .offererPreference:
            for (format, map) in offered {
                if let codec = mediaCodecs.first(where: { $0.matches(map) }) { return (format, codec) }
            }
        }
        return nil
    }

    /// The offer's telephone-event format at this clock rate, if we want telephone-event at all.
    private func telephoneEventFormat(in section: SDPMediaDescription, clockRate: Int) -> String? {
        guard configuration.telephoneEvent else { return nil }
        return section.formats.first { format in
            section.rtpMap(for: format).map {
                $0.encodingName.sdpEqualsIgnoringCase("telephone-event") && $0.clockRate == clockRate
            } ?? false
        }
    }

    // MARK: offering

    /// Our offer: every configured codec in preference order plus telephone-event at each of their
    /// clock rates. For an offerless INVITE (goes in the 200 OK) or a re-INVITE of ours;
    /// `direction: .sendonly` holds the remote, `.sendrecv` resumes.
    public mutating func makeOffer(direction: SDPDirection = .sendrecv) -> SessionDescription {
        localDirection = direction
        var rates: [Int] = []
        for codec in mediaCodecs where !rates.contains(codec.clockRate) { rates.append(codec.clockRate) }
        let events = configuration.telephoneEvent
            ? rates.map { (SDPCodec.telephoneEvent(clockRate: $0).payloadType, $0) } : []
        let section = audioSection(proto: "RTP/AVP", codec: nil, payloadType: 0, telephoneEvents: events,
                                   direction: direction)
        let offer = stamp(description(media: [section]))
        pendingOffer = offer
        return offer
    }

    /// Parses and accepts an answer body; see `accept(answer:)`.
    public mutating func accept(answerBody body: String) -> Result<NegotiatedMedia, SDPNegotiationError> {
        do throws(SDPParseError) {
            return accept(answer: try SessionDescription(parsing: body))
        } catch {
            return .failure(.malformed(error))
        }
    }

    /// Reads the answer to our outstanding offer (from the ACK of an offerless INVITE, or the 200 of
    /// our re-INVITE). The codec is the answer's first format that we offered (the answerer's choice).
    public mutating func accept(answer: SessionDescription) -> Result<NegotiatedMedia, SDPNegotiationError> {
        guard let offer = pendingOffer else { return .failure(.noOfferPending) }
        guard answer.media.count == offer.media.count else {
            return .failure(.answerMismatch("\(answer.media.count) m-lines for \(offer.media.count) offered"))
        }
        let section = answer.media[0]
        guard section.media.sdpEqualsIgnoringCase("audio") else {
            return .failure(.answerMismatch("m-line 1 is \(section.media), not audio"))
        }
        guard section.port != 0 else { return .failure(.noAudioStream) }
        let ours = offer.media[0]
        // The answer's payload types should be ours; its rtpmap wins if it has one (RFC 3264 6.1).
        func map(_ format: String) -> SDPRTPMap? { section.rtpMap(for: format) ?? ours.rtpMap(for: format) }
        var pick: (payloadType: UInt8, codec: SDPCodec)?
        for format in section.formats {
            guard let pt = UInt8(format), let map = map(format) else { continue }
            if let codec = mediaCodecs.first(where: { $0.matches(map) }) {
                pick = (pt, codec)
                break
            }
        }
        guard let pick else {
            return .failure(.noCommonCodec(offered: section.formats.map { format in
                map(format).map { "\($0.encodingName)/\($0.clockRate)" } ?? format
            }))
        }
        let telephoneEvent: UInt8? = configuration.telephoneEvent ? section.formats.lazy.compactMap { format in
            map(format).flatMap {
                $0.encodingName.sdpEqualsIgnoringCase("telephone-event") && $0.clockRate == pick.codec.clockRate
                    ? UInt8(format) : nil
            }
        }.first : nil
        guard let connection = answer.effectiveConnection(ofMediaAt: 0) else {
            return .failure(.malformed(SDPParseError(line: 0, reason: "no c= line for the audio stream")))
        }
        var answered = answer.effectiveDirection(ofMediaAt: 0)
        if connection.isHoldAddress { answered = answered.intersection(.sendonly) }
        let direction = answered.reversed.intersection(localDirection)
        let media = negotiated(index: 0, remote: section, connection: connection, codec: pick.codec,
                               payloadType: pick.payloadType, telephoneEventPayloadType: telephoneEvent,
                               direction: direction)
        pendingOffer = nil
        current = media
        return .success(media)
    }

    // MARK: building

    /// Our audio m-section: one codec (answer) or all of them (offer, `codec == nil`).
    private func audioSection(proto: String, codec: SDPCodec?, payloadType: UInt8,
                              telephoneEvents: [(UInt8, Int)], direction: SDPDirection) -> SDPMediaDescription {
        let entries: [(UInt8, SDPCodec)] = codec.map { [(payloadType, $0)] } ?? mediaCodecs.map { ($0.payloadType, $0) }
        var formats: [String] = []
        var attributes: [SDPAttribute] = []
        func add(_ pt: UInt8, _ codec: SDPCodec) {
            formats.append(String(pt))
            attributes.append(SDPAttribute(name: "rtpmap", value: codec.rtpMap(payloadType: pt).attributeValue))
            if let parameters = codec.formatParameters, !parameters.raw.isEmpty {
                attributes.append(SDPAttribute(name: "fmtp", value: "\(pt) \(parameters.raw)"))
            }
        }
        for (pt, codec) in entries { add(pt, codec) }
        for (pt, rate) in telephoneEvents { add(pt, .telephoneEvent(clockRate: rate)) }
        attributes.append(SDPAttribute(name: "ptime", value: String(configuration.ptime)))
        attributes.append(SDPAttribute(name: direction.rawValue))
        return SDPMediaDescription(media: "audio", port: configuration.port, proto: proto, formats: formats,
                                   attributes: attributes)
    }

    /// A whole description around our media sections.
    private func description(media: [SDPMediaDescription]) -> SessionDescription {
        let type = SDPAddressType.of(address: configuration.address)
        return SessionDescription(
            origin: SDPOrigin(username: configuration.username, sessionID: configuration.sessionID,
                              sessionVersion: sessionVersion, addressType: type, address: configuration.address),
            sessionName: configuration.sessionName,
            connection: SDPConnection(addressType: type, address: configuration.address),
            media: media)
    }

    /// Gives a description our current version, stepping it first if the content changed since the
    /// last one we sent (RFC 3264 8: unchanged descriptions keep their version).
    private mutating func stamp(_ description: SessionDescription) -> SessionDescription {
        var stamped = description
        if var previous = lastSent {
            previous.origin.sessionVersion = stamped.origin.sessionVersion
            if previous != stamped { sessionVersion &+= 1 }
        }
        stamped.origin.sessionVersion = sessionVersion
        lastSent = stamped
        return stamped
    }

    /// The negotiated result from the remote's section.
    private func negotiated(index: Int, remote section: SDPMediaDescription, connection: SDPConnection,
                            codec: SDPCodec, payloadType: UInt8, telephoneEventPayloadType: UInt8?,
                            direction: SDPDirection) -> NegotiatedMedia {
        var ptime = section.ptime ?? configuration.ptime
        if let maxptime = section.maxptime { ptime = min(ptime, maxptime) }
        let rtcp = section.rtcp
        return NegotiatedMedia(
            mediaIndex: index, remoteAddress: connection.address, remoteAddressType: connection.addressType,
            remoteRTPPort: section.port, remoteRTCPAddress: rtcp?.connection?.address ?? connection.address,
            remoteRTCPPort: rtcp?.port ?? section.port + 1,
            codec: NegotiatedCodec(name: codec.name, payloadType: payloadType, clockRate: codec.clockRate,
                                   channels: codec.channels,
                                   remoteParameters: section.formatParameters(for: String(payloadType)),
                                   localParameters: codec.formatParameters),
            telephoneEventPayloadType: telephoneEventPayloadType, ptime: ptime, direction: direction)
    }
}
