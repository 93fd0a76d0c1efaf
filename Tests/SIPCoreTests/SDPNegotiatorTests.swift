import Testing
@testable import SIPCore

@Suite struct SDPNegotiatorTests {
    static func negotiator(_ codecs: [SDPCodec] = [.pcmu, .pcma, .opus], address: String = "203.0.113.1",
                           selection: SDPNegotiator.CodecSelection = .localPreference) -> SDPNegotiator {
        SDPNegotiator(configuration: .init(codecs: codecs, address: address, port: 40000, sessionID: 777,
                                           codecSelection: selection))
    }

    func answer(_ body: String, with negotiator: inout SDPNegotiator) throws -> SDPAnswerResult {
        try negotiator.answer(toBody: body).get()
    }

    func error(_ body: String, _ codecs: [SDPCodec] = [.pcmu, .pcma, .opus]) -> SDPNegotiationError? {
        var negotiator = Self.negotiator(codecs)
        if case .failure(let error) = negotiator.answer(toBody: body) { return error }
        return nil
    }

    @Test func answersSippPCMUOffer() throws {
        var negotiator = Self.negotiator()
        let result = try answer(SDPSamples.sippPCMU, with: &negotiator)
        #expect(result.media.codec.name == "PCMU")
        #expect(result.media.codec.payloadType == 0)
        #expect(result.media.telephoneEventPayloadType == nil)
        #expect(result.media.remoteAddress == "127.0.0.1")
        #expect(result.media.remoteRTPPort == 6000)
        #expect(result.media.remoteRTCPPort == 6001)
        #expect(result.media.ptime == 20)
        #expect(result.media.direction == .sendrecv)
        #expect(result.body == """
            v=0\r
            o=voicegate 777 1 IN IP4 203.0.113.1\r
            s=VoiceGate\r
            c=IN IP4 203.0.113.1\r
            t=0 0\r
            m=audio 40000 RTP/AVP 0\r
            a=rtpmap:0 PCMU/8000\r
            a=ptime:20\r
            a=sendrecv\r

            """)
        // The answer is itself valid SDP.
        #expect(try SessionDescription(parsing: result.body) == result.answer)
    }

    @Test func picksOurFirstPreferenceAndTelephoneEventAt8000() throws {
        var negotiator = Self.negotiator([.pcmu, .pcma, .opus])
        let result = try answer(SDPSamples.baresip, with: &negotiator)
        #expect(result.media.codec.name == "PCMU")
        #expect(result.media.codec.payloadType == 0)
        #expect(result.media.telephoneEventPayloadType == 97)
        #expect(result.answer.media[0].formats == ["0", "97"])
        #expect(result.body.contains("a=rtpmap:97 telephone-event/8000\r\n"))
        #expect(result.media.remoteRTCPPort == 10001)
    }

    @Test func opusMirrorsDynamicTypesAndHonoursFmtp() throws {
        var negotiator = Self.negotiator([.opus, .pcmu])
        let result = try answer(SDPSamples.baresip, with: &negotiator)
        let codec = result.media.codec
        #expect(codec.name == "opus" && codec.payloadType == 96 && codec.clockRate == 48000 && codec.channels == 2)
        #expect(result.media.telephoneEventPayloadType == 101)
        #expect(result.answer.media[0].formats == ["96", "101"])
        #expect(result.body.contains("a=rtpmap:96 opus/48000/2\r\n"))
        #expect(result.body.contains("a=fmtp:96 maxplaybackrate=16000;sprop-maxcapturerate=16000;stereo=0;sprop-stereo=0;useinbandfec=1\r\n"))
        #expect(result.body.contains("a=rtpmap:101 telephone-event/48000\r\n"))
        let send = try #require(codec.opusSendParameters)
        #expect(send.useInbandFEC)
        #expect(send.stereo)
        #expect(send.maxPlaybackRate == 48000)
        #expect(send.spropMaxCaptureRate == 48000)
        #expect(codec.localParameters == SDPCodec.opus.formatParameters)
    }

    @Test func opusFmtpDefaultsWhenAbsent() throws {
        var negotiator = Self.negotiator([.opus])
        let body = SDPSamples.offer(formats: "109 101", attributes: ["rtpmap:109 opus/48000/2"])
        let result = try answer(body, with: &negotiator)
        #expect(result.media.codec.payloadType == 109)
        // telephone-event is only offered at 8000 here: never paired with a 48 kHz codec.
        #expect(result.media.telephoneEventPayloadType == nil)
        let send = try #require(result.media.codec.opusSendParameters)
        #expect(!send.useInbandFEC && !send.stereo && send.maxPlaybackRate == 48000)
        let limited = SDPSamples.offer(formats: "109", attributes: [
            "rtpmap:109 opus/48000/2", "fmtp:109 maxplaybackrate=8000;stereo=0;useinbandfec=1;maxaveragebitrate=20000",
        ])
        var second = Self.negotiator([.opus])
        let narrow = try #require(try answer(limited, with: &second).media.codec.opusSendParameters)
        #expect(narrow.maxPlaybackRate == 8000 && !narrow.stereo && narrow.useInbandFEC)
        #expect(narrow.maxAverageBitrate == 20000)
    }

    @Test func codecSelectionFollowsConfiguredOrder() throws {
        var local = Self.negotiator([.pcmu, .pcma])
        #expect(try answer(SDPSamples.freeswitch, with: &local).media.codec.name == "PCMU")
        var offerer = Self.negotiator([.pcmu, .pcma], selection: .offererPreference)
        #expect(try answer(SDPSamples.freeswitch, with: &offerer).media.codec.name == "PCMA")
        var opusFirst = Self.negotiator([.pcmu, .pcma, .opus], selection: .offererPreference)
        #expect(try answer(SDPSamples.baresip, with: &opusFirst).media.codec.name == "opus")
        #expect(error(SDPSamples.sippPCMU, [.pcma]) == .noCommonCodec(offered: ["PCMU/8000"]))
    }

    @Test func carrierOfferGivesRTCPAddressAndPtime() throws {
        var negotiator = Self.negotiator([.pcma, .pcmu])
        let media = try answer(SDPSamples.freeswitch, with: &negotiator).media
        #expect(media.codec.payloadType == 8)
        #expect(media.telephoneEventPayloadType == 101)
        #expect(media.remoteAddress == "54.172.60.1" && media.remoteRTPPort == 18542)
        #expect(media.remoteRTCPAddress == "54.172.60.2" && media.remoteRTCPPort == 18549)
        #expect(media.ptime == 20)
    }

    @Test(arguments: [
        ([String](), 20), (["ptime:30"], 30), (["ptime:40", "maxptime:20"], 20), (["ptime:20.0"], 20),
    ])
    func ptimeComesFromTheOffer(_ attributes: [String], _ expected: Int) throws {
        var negotiator = Self.negotiator()
        #expect(try answer(SDPSamples.offer(attributes: attributes), with: &negotiator).media.ptime == expected)
    }

    @Test func ipv6OfferAndIPv6Gateway() throws {
        var negotiator = Self.negotiator(address: "2001:db8::1")
        let result = try answer(SDPSamples.ipv6, with: &negotiator)
        #expect(result.media.remoteAddressType == .ip6)
        #expect(result.media.remoteAddress == "2001:db8::10")
        #expect(result.media.codec.name == "PCMA")
        #expect(result.media.telephoneEventPayloadType == 101)
        #expect(result.body.contains("o=voicegate 777 1 IN IP6 2001:db8::1\r\n"))
        #expect(result.body.contains("c=IN IP6 2001:db8::1\r\n"))
    }

    @Test(arguments: [
        (SDPDirection.sendrecv, SDPDirection.sendrecv), (.sendonly, .recvonly), (.recvonly, .sendonly), (.inactive, .inactive),
    ])
    func answerDirectionMirrorsOffer(_ offered: SDPDirection, _ expected: SDPDirection) throws {
        var negotiator = Self.negotiator()
        let media = try answer(SDPSamples.offer(attributes: [offered.rawValue]), with: &negotiator)
        #expect(media.media.direction == expected)
        #expect(media.answer.media[0].direction == expected)
        #expect(media.media.isOnHold == !expected.sends)
        var session = Self.negotiator()
        let sessionLevel = try answer(SDPSamples.offer(sessionAttributes: [offered.rawValue]), with: &session)
        #expect(sessionLevel.media.direction == expected)
    }

    @Test func legacyHoldAddressIsHold() throws {
        var negotiator = Self.negotiator()
        let result = try answer(SDPSamples.legacyHold, with: &negotiator)
        #expect(result.media.direction == .recvonly)
        #expect(result.media.isOnHold)
        #expect(result.media.remoteAddress == "0.0.0.0")
        #expect(result.body.contains("a=recvonly\r\n"))
        #expect(result.body.contains("c=IN IP4 203.0.113.1\r\n"))
        var inactive = Self.negotiator()
        let both = try answer(SDPSamples.offer(attributes: ["recvonly"], address: "0.0.0.0"), with: &inactive)
        #expect(both.media.direction == .inactive)
    }

    @Test func onlyG729Gives488With305() throws {
        let failure = try #require(error(SDPSamples.g729Only))
        #expect(failure == .noCommonCodec(offered: ["G729/8000"]))
        #expect(failure.statusCode == 488)
        #expect(failure.warningCode == 305)
        #expect(failure.warningHeaderValue(agent: "voicegate") == "305 voicegate \"Incompatible media format\"")
    }

    @Test func otherRejections() throws {
        let video = SDPSamples.audioVideo.replacingOccurrences("m=audio 5000 RTP/AVP 0 8\na=ptime:30\n", "")
        let noAudio = try #require(error(video))
        #expect(noAudio == .noAudioStream && noAudio.warningCode == 304 && noAudio.statusCode == 488)
        let srtp = try #require(error(SDPSamples.offer(proto: "RTP/SAVP")))
        #expect(srtp == .unsupportedTransport(["RTP/SAVP"]) && srtp.warningCode == 302)
        let disabled = try #require(error(SDPSamples.sippPCMU.replacingOccurrences("m=audio 6000", "m=audio 0")))
        #expect(disabled == .noAudioStream)
        let malformed = try #require(error("v=0\nbogus\n"))
        #expect(malformed == .malformed(SDPParseError(line: 2, reason: "expected <type>=<value>, got \"bogus\"")))
        #expect(malformed.statusCode == 400)
        #expect(malformed.warningHeaderValue(agent: "vg").hasPrefix("399 vg \"Malformed SDP: SDP line 2"))
    }

    @Test func builtOfferWithoutConnectionIsRefusedNotTrapped() {
        var negotiator = Self.negotiator()
        let offer = SessionDescription(
            origin: SDPOrigin(sessionID: 1, sessionVersion: 1, addressType: .ip4, address: "192.0.2.1"),
            media: [SDPMediaDescription(media: "audio", port: 4000, proto: "RTP/AVP", formats: ["0"])])
        guard case .failure(.malformed(let parseError)) = negotiator.answer(to: offer) else {
            Issue.record("expected .malformed")
            return
        }
        #expect(parseError.reason.contains("no c= line"))
    }

    @Test func nonAudioStreamsAreRejectedWithPortZero() throws {
        var negotiator = Self.negotiator()
        let result = try answer(SDPSamples.audioVideo, with: &negotiator)
        #expect(result.answer.media.count == 2)
        #expect(result.answer.media[0] == SDPMediaDescription(media: "video", port: 0, proto: "RTP/AVP", formats: ["96"]))
        #expect(result.answer.media[1].port == 40000)
        #expect(result.media.mediaIndex == 1)
        #expect(result.media.ptime == 30)
        #expect(result.body.contains("m=video 0 RTP/AVP 96\r\nm=audio 40000 RTP/AVP 0\r\n"))
    }

    @Test func reInviteVersioningHoldResumeAndCodecChange() throws {
        var negotiator = Self.negotiator()
        let first = try answer(SDPSamples.offer(), with: &negotiator)
        #expect(first.answer.origin.sessionVersion == 1)
        // Session refresh: identical offer, identical answer, same version (RFC 3264 8).
        let refresh = try answer(SDPSamples.offer(version: 2), with: &negotiator)
        #expect(refresh.answer == first.answer)
        // Hold.
        let hold = try answer(SDPSamples.offer(attributes: ["sendonly"], version: 3), with: &negotiator)
        #expect(hold.answer.origin.sessionVersion == 2)
        #expect(hold.media.direction == .recvonly)
        #expect(negotiator.current?.isOnHold == true)
        // Resume.
        let resume = try answer(SDPSamples.offer(attributes: ["sendrecv"], version: 4), with: &negotiator)
        #expect(resume.answer.origin.sessionVersion == 3)
        #expect(resume.media.direction == .sendrecv)
        // Codec change: the remote now offers PCMA only.
        let change = try answer(SDPSamples.offer(formats: "8 101", version: 5), with: &negotiator)
        #expect(change.answer.origin.sessionVersion == 4)
        #expect(change.media.codec.name == "PCMA" && change.media.codec.payloadType == 8)
        // Our own port moves: the description changes, so the version steps.
        negotiator.configuration.port = 40002
        let moved = try answer(SDPSamples.offer(formats: "8 101", version: 6), with: &negotiator)
        #expect(moved.answer.origin.sessionVersion == 5)
        #expect(moved.answer.media[0].port == 40002)
        #expect(negotiator.sessionVersion == 5)
    }

    @Test func offerlessInviteFlow() throws {
        var negotiator = Self.negotiator([.pcmu, .pcma, .opus])
        let offer = negotiator.makeOffer()
        #expect(offer.media.count == 1)
        #expect(offer.media[0].formats == ["0", "8", "111", "101", "110"])
        #expect(offer.media[0].rtpMap(for: "110") == SDPRTPMap(payloadType: 110, encodingName: "telephone-event", clockRate: 48000))
        #expect(offer.media[0].formatParameters(for: "101")?.raw == "0-16")
        #expect(offer.media[0].direction == .sendrecv)
        #expect(try SessionDescription(parsing: offer.serialized) == offer)
        #expect(negotiator.pendingOffer == offer)

        // The ACK answers PCMA with telephone-event; rtpmaps omitted where static or taken from our offer.
        let ackBody = """
            v=0
            o=- 1 1 IN IP4 198.51.100.20
            s=-
            c=IN IP4 198.51.100.20
            t=0 0
            m=audio 7078 RTP/AVP 8 101
            a=recvonly

            """
        let media = try negotiator.accept(answerBody: ackBody).get()
        #expect(media.codec.name == "PCMA" && media.codec.payloadType == 8)
        #expect(media.telephoneEventPayloadType == 101)
        #expect(media.remoteAddress == "198.51.100.20" && media.remoteRTPPort == 7078 && media.remoteRTCPPort == 7079)
        #expect(media.direction == .sendonly)
        #expect(negotiator.pendingOffer == nil)
        #expect(negotiator.current == media)
        #expect(negotiator.accept(answerBody: ackBody) == .failure(.noOfferPending))
    }

    @Test func offerlessOpusAnswerUsesOurMapping() throws {
        var negotiator = Self.negotiator([.opus, .pcmu])
        _ = negotiator.makeOffer()
        let media = try negotiator.accept(answerBody: SDPSamples.offer(
            formats: "111 110", attributes: ["fmtp:111 useinbandfec=1"])).get()
        #expect(media.codec.name == "opus" && media.codec.payloadType == 111)
        #expect(media.telephoneEventPayloadType == 110)
        #expect(media.codec.opusSendParameters?.useInbandFEC == true)
    }

    @Test func badAnswers() throws {
        var negotiator = Self.negotiator()
        _ = negotiator.makeOffer()
        #expect(negotiator.accept(answerBody: SDPSamples.g729Only) == .failure(.noCommonCodec(offered: ["G729/8000"])))
        #expect(negotiator.pendingOffer != nil)
        if case .failure(.answerMismatch) = negotiator.accept(answerBody: SDPSamples.audioVideo) {} else {
            Issue.record("two m-lines for one offered must be a mismatch")
        }
        #expect(negotiator.accept(answerBody: SDPSamples.offer().replacingOccurrences("m=audio 20000", "m=audio 0"))
                == .failure(.noAudioStream))
    }

    @Test func weHoldAndResumeWithReOffers() throws {
        var negotiator = Self.negotiator([.pcmu])
        _ = try answer(SDPSamples.offer(), with: &negotiator)
        let hold = negotiator.makeOffer(direction: .sendonly)
        #expect(hold.origin.sessionVersion == 2)
        #expect(hold.media[0].direction == .sendonly)
        let held = try negotiator.accept(answerBody: SDPSamples.offer(attributes: ["recvonly"])).get()
        #expect(held.direction == .sendonly)
        let resume = negotiator.makeOffer()
        #expect(resume.origin.sessionVersion == 3)
        let again = negotiator.makeOffer()
        #expect(again.origin.sessionVersion == 3)
        #expect(try negotiator.accept(answerBody: SDPSamples.offer()).get().direction == .sendrecv)
    }
}

fileprivate extension String {
    /// Plain substring replacement without Foundation.
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
