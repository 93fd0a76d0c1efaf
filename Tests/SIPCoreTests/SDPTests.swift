import Testing
@testable import SIPCore

/// Real-world SDP bodies, written as the stacks send them (line ends normalised per test where it matters).
enum SDPSamples {
    /// sipp's built-in UAC scenario: LF line ends, static payload type 0 without an rtpmap.
    static let sippPCMU = """
        v=0
        o=user1 53655765 2353687637 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio 6000 RTP/AVP 0

        """

    /// baresip: opus first at a dynamic type, G.711, telephone-event at both clock rates, extra attributes.
    static let baresip = """
        v=0\r
        o=- 1418407393 2837193542 IN IP4 192.168.1.20\r
        s=-\r
        c=IN IP4 192.168.1.20\r
        t=0 0\r
        m=audio 10000 RTP/AVP 96 0 8 101 97\r
        b=AS:82\r
        a=rtpmap:96 opus/48000/2\r
        a=fmtp:96 stereo=1;sprop-stereo=1;useinbandfec=1;maxplaybackrate=48000;sprop-maxcapturerate=48000\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:101 telephone-event/48000\r
        a=fmtp:101 0-15\r
        a=rtpmap:97 telephone-event/8000\r
        a=fmtp:97 0-15\r
        a=rtcp:10001\r
        a=sendrecv\r
        a=label:1\r
        a=ssrc:1234567 cname:baresip@example\r

        """

    /// A FreeSWITCH/Twilio-style carrier offer: PCMA first, a=rtcp with address, ptime and maxptime.
    static let freeswitch = """
        v=0\r
        o=FreeSWITCH 1700000000 1700000001 IN IP4 54.172.60.1\r
        s=FreeSWITCH\r
        c=IN IP4 54.172.60.1\r
        t=0 0\r
        m=audio 18542 RTP/AVP 8 0 101\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-16\r
        a=ptime:20\r
        a=maxptime:150\r
        a=rtcp:18549 IN IP4 54.172.60.2\r
        a=sendrecv\r

        """

    /// An IPv6 offer, PCMA by static type only.
    static let ipv6 = """
        v=0
        o=- 3 3 IN IP6 2001:db8::10
        s=-
        c=IN IP6 2001:db8::10
        t=0 0
        m=audio 30000 RTP/AVP 8 101
        a=rtpmap:101 telephone-event/8000

        """

    /// A re-INVITE putting us on hold the RFC 2543 way (c=0.0.0.0, no direction attribute).
    static let legacyHold = """
        v=0\r
        o=CiscoSystemsSIP-GW-UserAgent 4242 4243 IN IP4 10.0.0.5\r
        s=SIP Call\r
        c=IN IP4 0.0.0.0\r
        t=0 0\r
        m=audio 17000 RTP/AVP 0 101\r
        c=IN IP4 0.0.0.0\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-15\r

        """

    /// G.729 only: nothing we speak.
    static let g729Only = """
        v=0\r
        o=- 77 77 IN IP4 198.51.100.7\r
        s=-\r
        c=IN IP4 198.51.100.7\r
        t=0 0\r
        m=audio 4000 RTP/AVP 18\r
        a=rtpmap:18 G729/8000\r
        a=fmtp:18 annexb=no\r

        """

    /// Audio and video: the video must be refused with port 0.
    static let audioVideo = """
        v=0
        o=- 5 5 IN IP4 203.0.113.9
        s=-
        c=IN IP4 203.0.113.9
        t=0 0
        m=video 5002 RTP/AVP 96
        a=rtpmap:96 H264/90000
        m=audio 5000 RTP/AVP 0 8
        a=ptime:30

        """

    /// Builds a one-stream offer for tests that vary a single thing.
    static func offer(formats: String = "0 8 101", attributes: [String] = [], sessionAttributes: [String] = [],
                      proto: String = "RTP/AVP", address: String = "192.0.2.50", version: Int = 1) -> String {
        (["v=0", "o=- 9 \(version) IN IP4 \(address)", "s=-", "c=IN IP4 \(address)", "t=0 0"]
            + sessionAttributes.map { "a=\($0)" }
            + ["m=audio 20000 \(proto) \(formats)", "a=rtpmap:101 telephone-event/8000"]
            + attributes.map { "a=\($0)" })
            .joined(separator: "\r\n") + "\r\n"
    }
}

@Suite struct SDPParserTests {
    @Test func parsesSippOfferWithStaticPayloadType() throws {
        let sdp = try SessionDescription(parsing: SDPSamples.sippPCMU)
        #expect(sdp.origin.username == "user1")
        #expect(sdp.origin.sessionID == 53655765)
        #expect(sdp.origin.sessionVersion == 2353687637)
        #expect(sdp.origin.addressType == .ip4)
        #expect(sdp.connection?.address == "127.0.0.1")
        #expect(sdp.media.count == 1)
        let audio = sdp.media[0]
        #expect(audio.media == "audio" && audio.port == 6000 && audio.proto == "RTP/AVP")
        #expect(audio.formats == ["0"])
        #expect(audio.rtpMaps.isEmpty)
        #expect(audio.rtpMap(for: "0") == SDPRTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000))
        #expect(audio.rtpMap(for: "8")?.encodingName == "PCMA")
        #expect(audio.rtpMap(for: "96") == nil)
    }

    @Test func parsesBaresipOffer() throws {
        let sdp = try SessionDescription(parsing: SDPSamples.baresip)
        let audio = sdp.media[0]
        #expect(audio.formats == ["96", "0", "8", "101", "97"])
        #expect(audio.bandwidths == [SDPBandwidth(type: "AS", value: 82)])
        #expect(audio.rtpMap(for: "96") == SDPRTPMap(payloadType: 96, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMap(for: "101")?.clockRate == 48000)
        #expect(audio.rtpMap(for: "97")?.clockRate == 8000)
        let opus = try #require(audio.formatParameters(for: "96"))
        #expect(opus["useinbandfec"] == "1")
        #expect(opus["MaxPlaybackRate"] == "48000")
        #expect(opus["stereo"] == "1")
        #expect(audio.formatParameters(for: "101")?.raw == "0-15")
        #expect(audio.formatParameters(for: "0") == nil)
        #expect(audio.rtcp == SDPRTCPAttribute(port: 10001))
        #expect(audio.direction == .sendrecv)
        #expect(audio.attributes.contains(SDPAttribute(name: "ssrc", value: "1234567 cname:baresip@example")))
        #expect(audio.attributes.contains(SDPAttribute(name: "label", value: "1")))
    }

    @Test func parsesCarrierOfferWithRTCPAndPtime() throws {
        let sdp = try SessionDescription(parsing: SDPSamples.freeswitch)
        let audio = sdp.media[0]
        #expect(audio.ptime == 20)
        #expect(audio.maxptime == 150)
        #expect(audio.rtcp?.port == 18549)
        #expect(audio.rtcp?.connection == SDPConnection(address: "54.172.60.2"))
        #expect(sdp.sessionName == "FreeSWITCH")
    }

    @Test func parsesIPv6Offer() throws {
        let sdp = try SessionDescription(parsing: SDPSamples.ipv6)
        #expect(sdp.origin.addressType == .ip6)
        #expect(sdp.connection == SDPConnection(networkType: "IN", addressType: .ip6, address: "2001:db8::10"))
        #expect(sdp.media[0].rtpMap(for: "8")?.encodingName == "PCMA")
    }

    @Test func mediaLevelConnectionOverridesSession() throws {
        let sdp = try SessionDescription(parsing: SDPSamples.legacyHold)
        #expect(sdp.media[0].connection?.isHoldAddress == true)
        #expect(sdp.effectiveConnection(ofMediaAt: 0)?.address == "0.0.0.0")
        #expect(sdp.effectiveDirection(ofMediaAt: 0) == .sendrecv)
        let video = try SessionDescription(parsing: SDPSamples.audioVideo)
        #expect(video.media.map(\.media) == ["video", "audio"])
        #expect(video.effectiveConnection(ofMediaAt: 1)?.address == "203.0.113.9")
        #expect(video.media[1].ptime == 30)
    }

    @Test func lineEndingsAndTrailingWhitespaceDoNotMatter() throws {
        let lf = SDPSamples.freeswitch.replacingCRLF()
        let messy = lf.split(separator: "\n").map { $0 + " \t" }.joined(separator: "\r\n") + "\r\n\r\n"
        let reference = try SessionDescription(parsing: SDPSamples.freeswitch)
        #expect(try SessionDescription(parsing: lf) == reference)
        #expect(try SessionDescription(parsing: messy) == reference)
        #expect(try SessionDescription(parsing: Array(messy.utf8)) == reference)
    }

    @Test(arguments: [SDPSamples.baresip, SDPSamples.freeswitch, SDPSamples.legacyHold, SDPSamples.g729Only])
    func serializesBackToTheSameText(_ text: String) throws {
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.serialized == text)
        #expect(try SessionDescription(parsing: sdp.serialized) == sdp)
    }

    @Test(arguments: [SDPSamples.sippPCMU, SDPSamples.ipv6, SDPSamples.audioVideo])
    func roundTripsLFBodiesAsCRLF(_ text: String) throws {
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.serialized == text.replacingLF())
        #expect(try SessionDescription(parsing: sdp.serialized) == sdp)
    }

    @Test func keepsVerbatimFieldsInCanonicalOrder() throws {
        let text = """
            v=0\r
            o=- 1 1 IN IP4 192.0.2.1\r
            s=Call\r
            i=An IVR call\r
            u=http://example.com/\r
            e=ops@example.com\r
            c=IN IP4 192.0.2.1/127\r
            b=CT:128\r
            t=0 0\r
            r=604800 3600 0 90000\r
            a=tool:test\r
            a=recvonly\r
            m=audio 4000/2 RTP/AVP 0\r
            i=voice\r
            b=AS:64\r
            a=x-custom\r

            """
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.connection?.ttl == 127)
        #expect(sdp.media[0].portCount == 2)
        #expect(sdp.direction == .recvonly)
        #expect(sdp.effectiveDirection(ofMediaAt: 0) == .recvonly)
        #expect(sdp.serialized == text)
    }

    @Test func settingMediaDirectionReplacesTheAttribute() throws {
        var sdp = try SessionDescription(parsing: SDPSamples.freeswitch)
        sdp.media[0].direction = .inactive
        #expect(sdp.media[0].attributes.filter { SDPDirection(rawValue: $0.name) != nil } == [SDPAttribute(name: "inactive")])
        #expect(sdp.serialized.contains("a=inactive\r\n"))
        #expect(!sdp.serialized.contains("a=sendrecv"))
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        let reasonContains: String
        var testDescription: String { "\(reasonContains) @\(line)" }
    }

    static let badCases: [BadCase] = [
        BadCase(text: "hello world\n", line: 1, reasonContains: "expected <type>=<value>"),
        BadCase(text: "o=- 1 1 IN IP4 1.2.3.4\nv=0\n", line: 1, reasonContains: "first line must be v=0"),
        BadCase(text: "v=1\n", line: 1, reasonContains: "unsupported SDP version"),
        BadCase(text: "v=0\ns=-\nt=0 0\n", line: 0, reasonContains: "missing o="),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n", line: 0, reasonContains: "missing s="),
        BadCase(text: "v=0\no=- 1 IN IP4 1.2.3.4\ns=-\n", line: 2, reasonContains: "o= needs 6 fields"),
        BadCase(text: "v=0\no=- x 1 IN IP4 1.2.3.4\ns=-\n", line: 2, reasonContains: "must be numbers"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP5 1.2.3.4\n", line: 4, reasonContains: "not IP4 or IP6"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=ATM IP4 1.2.3.4\n", line: 4, reasonContains: "not IN"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.400\n", line: 4, reasonContains: "IPv4 address"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 70000 RTP/AVP 0\n",
                line: 6, reasonContains: "port"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP\n",
                line: 6, reasonContains: "at least one format"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 0 200\n",
                line: 6, reasonContains: "payload type"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 0\na=rtpmap:0 PCMU\n",
                line: 7, reasonContains: "a=rtpmap"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 0\r\na=ptime:soon\r\n",
                line: 7, reasonContains: "a=ptime"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 0\na=rtcp:abc\n",
                line: 7, reasonContains: "a=rtcp"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\n",
                line: 5, reasonContains: "no c= line"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nx=unknown\n", line: 4, reasonContains: "unknown field type"),
        BadCase(text: "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=now\n", line: 4, reasonContains: "t= needs"),
        BadCase(text: "v=0\n\n\no=- 1 1 IN IP4 1.2.3.4\ns=-\nb=AS\n", line: 6, reasonContains: "b= needs"),
        BadCase(text: "", line: 0, reasonContains: "empty body"),
    ]

    @Test(arguments: badCases)
    func rejectsMalformedBodiesWithLineNumbers(_ bad: BadCase) {
        #expect {
            _ = try SessionDescription(parsing: bad.text)
        } throws: { error in
            guard let error = error as? SDPParseError else { return false }
            return error.line == bad.line && error.reason.contains(bad.reasonContains)
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: SDPParseError.self) {
            _ = try SessionDescription(parsing: [0x76, 0x3D, 0x30, 0x0A, 0xFF, 0xFE])
        }
    }

    @Test func errorDescriptionNamesTheLine() {
        #expect(SDPParseError(line: 7, reason: "bad").description == "SDP line 7: bad")
    }
}

fileprivate extension String {
    /// The text with CRLF turned into LF.
    func replacingCRLF() -> String { split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n") }
    /// The text with LF turned into CRLF (input must have no CR).
    func replacingLF() -> String { split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") }
}
