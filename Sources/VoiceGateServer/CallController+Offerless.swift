import SIPCore

/// INVITEs without an SDP offer (RFC 3261 13.2.1, RFC 3264 5): our offer (every configured codec
/// plus telephone-event) goes in the 200 OK, and the caller's answer must come in the ACK.
///
/// The RTP socket is opened before the 200 as usual, with placeholder media (our first codec,
/// direction inactive: nothing is sent to anyone). On the ACK the answer is read: usable → an
/// `updateMedia` with the real media, then `startMedia`; missing or unusable → BYE right away
/// (RFC 3261 13.3.1.4: the UAS cannot reject an ACK, so it ends the dialog), with the reason in
/// the `callEnded` log line.
extension CallController {
    /// Opens the media for an offerless INVITE and keeps our offer as the 200's body.
    mutating func offerlessInvite(_ request: SIPMessage, callID: String, port: Int,
                                  negotiator: inout SDPNegotiator) -> [Action] {
        let offer = negotiator.makeOffer()
        calls[callID]?.answerBody = Array(offer.serialized.utf8)
        calls[callID]?.offerless = true
        calls[callID]?.negotiator = negotiator
        let plan = MediaPlan(callID: callID, localRTPPort: port, media: Self.awaitingAnswer(codecs: configuration.codecs),
                             callerNumber: request.from?.uri.user ?? "anonymous",
                             calledNumber: request.requestLine?.uri.user ?? "")
        return [.openMedia(plan)]
    }

    /// The ACK of an offerless INVITE's 200: `confirmed` (cancel the 200's retransmission, start
    /// the media) after the media from its answer, or BYE when it has none.
    mutating func offerlessAck(_ ack: SIPMessage, callID: String, then confirmed: [Action]) -> [Action] {
        guard var negotiator = calls[callID]?.negotiator else { return confirmed }
        calls[callID]?.offerless = false
        switch Self.answer(inAck: ack, negotiator: &negotiator) {
        case .success(let media):
            calls[callID]?.negotiator = negotiator
            var actions = confirmed
            let start = actions.firstIndex { if case .startMedia = $0 { true } else { false } } ?? actions.endIndex
            actions.insert(.updateMedia(callID: callID, media: media), at: start)
            return actions
        case .failure(let problem):
            return [.cancelTimer(.successRetransmit(callID: callID))]
                + hangUp(callID, reason: "no usable SDP answer in the ACK (\(problem))")
        }
    }

    /// Media to open the RTP socket with before the answer is known: our first codec, no remote,
    /// inactive (the media loop neither sends nor counts silence until `updateMedia`).
    static func awaitingAnswer(codecs: [SDPCodec]) -> NegotiatedMedia {
        let codec = codecs.first { !$0.isTelephoneEvent } ?? .pcmu
        return NegotiatedMedia(
            mediaIndex: 0, remoteAddress: "0.0.0.0", remoteAddressType: .ip4, remoteRTPPort: 0,
            remoteRTCPAddress: "0.0.0.0", remoteRTCPPort: 0,
            codec: NegotiatedCodec(name: codec.name, payloadType: codec.payloadType, clockRate: codec.clockRate,
                                   channels: codec.channels, remoteParameters: nil, localParameters: codec.formatParameters),
            telephoneEventPayloadType: nil, ptime: 20, direction: .inactive)
    }
}
