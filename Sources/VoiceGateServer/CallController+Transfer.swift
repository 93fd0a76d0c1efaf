import SIPCore
import VoiceGateDialog

/// Blind transfer by REFER (RFC 3515) in the caller's dialog, with the outcome tracked through
/// the implicit `refer` subscription's NOTIFYs (`message/sipfrag` bodies).
///
/// The REFER names the agent queue in `Refer-To`, and carries the context key twice: as
/// `User-to-User` (RFC 7433, hex, `purpose=call`) and `X-VoiceGate-Context-Id` headers of the
/// REFER itself (for a B2BUA/PBX transferee that reads them), and as the same headers embedded
/// in the `Refer-To` URI (RFC 3515 2.1, RFC 7433 4.1), so a phone that is the transferee copies
/// them into its INVITE to the agent. That is how the agent side gets the key.
///
/// Outcomes: a 2xx sipfrag → BYE, `transferred`. A REFER answered ≥ 300 or unanswered for
/// 64·T1, a final non-2xx sipfrag, or no final NOTIFY within `transferTimeoutMs` after the
/// REFER's 2xx → `transfer_failed`: with `transferMode == .refer` the call ends with BYE; with
/// `.referThenBridge` the bridged fallback takes over (`CallController+Bridge.swift`).
extension CallController {
    /// Starts the transfer: REFER in the dialog, retransmitted until a response.
    mutating func startTransfer(_ callID: String, contextKey: String) -> [Action] {
        guard var call = calls[callID] else { return [] }
        guard call.phase == .confirmed else {
            // Not confirmed (no ACK yet) or already ending: nothing to REFER in.
            return hangUp(callID, reason: "transfer_failed (dialog not confirmed)")
        }
        var refer = makeInDialogRequest(&call, method: .refer)
        for field in transferHeaders(contextKey: contextKey, contact: contactAddress(for: call.peer)) {
            refer.headers.add(name: field.name, value: field.value)
        }
        call.refer = refer
        call.phase = .transferring
        call.referAccepted = false
        let retransmitter = SuccessRetransmitter(timers: configuration.timers, reliability: transport(of: call.peer).reliability)
        call.referRetransmitter = retransmitter
        calls[callID] = call
        return [.send(refer, to: call.peer),
                .startTimer(.referRetransmit(callID: callID), milliseconds: retransmitter.firstDelay)]
    }

    /// The headers that make a REFER a VoiceGate transfer: Refer-To (with the key embedded),
    /// Referred-By, Contact, User-to-User and X-VoiceGate-Context-Id.
    func transferHeaders(contextKey: String, contact: String? = nil) -> [SIPHeaderField] {
        let uui = UserToUser.value(forKey: contextKey)
        var target = SIPURI(configuration.agentQueueURI) ?? SIPURI(user: "agents", host: configuration.host)
        target.headers.set("User-to-User", uui)
        target.headers.set("X-VoiceGate-Context-Id", contextKey)
        let ours = "<sip:voicegate@\(hostPort)>"
        return [
            SIPHeaderField(name: "Refer-To", value: "<\(target)>"),
            SIPHeaderField(name: "Referred-By", value: ours),
            SIPHeaderField(name: "Contact", value: contact ?? ours),
            SIPHeaderField(name: "User-to-User", value: uui),
            SIPHeaderField(name: "X-VoiceGate-Context-Id", value: contextKey),
        ]
    }

    /// A response to our REFER: 1xx changes nothing, 2xx (202) starts the wait for the final
    /// NOTIFY, ≥ 300 fails the transfer.
    mutating func referAnswered(_ response: SIPMessage) -> [Action] {
        guard let callID = response.callID, var call = calls[callID], call.phase == .transferring,
              let status = response.status, let refer = call.refer,
              response.cSeq?.sequence == refer.cSeq?.sequence else { return [] }
        guard status >= 200 else { return [] }
        call.referRetransmitter?.ackReceived()
        calls[callID] = call
        guard status < 300 else {
            return transferFinished(callID, .failed(detail: "\(status) to REFER"))
        }
        guard !call.referAccepted else { return [] }  // a retransmitted 202
        calls[callID]?.referAccepted = true
        return [.cancelTimer(.referRetransmit(callID: callID)),
                .startTimer(.transferTimeout(callID: callID), milliseconds: configuration.transferTimeoutMs)]
    }

    /// Timer E/F of the REFER: send it again, or give up after 64·T1 without a response.
    mutating func referRetransmitFired(_ callID: String) -> [Action] {
        guard var call = calls[callID], call.phase == .transferring, !call.referAccepted,
              var retransmitter = call.referRetransmitter, let refer = call.refer else { return [] }
        let steps = retransmitter.tick()
        call.referRetransmitter = retransmitter
        calls[callID] = call
        var actions: [Action] = []
        for step in steps {
            switch step {
            case .retransmit: actions.append(.send(refer, to: call.peer))
            case .scheduleNext(let ms): actions.append(.startTimer(.referRetransmit(callID: callID), milliseconds: ms))
            case .giveUp: actions += transferFinished(callID, .failed(detail: "no response to REFER"))
            }
        }
        return actions
    }

    /// A NOTIFY of the refer subscription (already answered 200): a final sipfrag ends the transfer.
    mutating func referNotified(_ callID: String, sipfrag: [UInt8]) -> [Action] {
        guard let call = calls[callID], call.phase == .transferring,
              let status = Self.sipfragStatus(sipfrag), status >= 200 else { return [] }
        calls[callID]?.referRetransmitter?.ackReceived()  // a NOTIFY can overtake the 202
        if status < 300 { return transferFinished(callID, .transferred) }
        return transferFinished(callID, .failed(detail: "NOTIFY sipfrag \(status)"))
    }

    /// Reports the outcome and ends our part of the call with BYE.
    mutating func transferFinished(_ callID: String, _ outcome: TransferOutcome) -> [Action] {
        guard calls[callID]?.phase == .transferring else { return [] }
        if case .failed(let detail) = outcome, configuration.transferMode == .referThenBridge,
           let bridged = startBridge(callID, referFailure: detail) {
            return bridged  // the caller stays; VoiceGate calls the agent itself
        }
        let reason: String
        switch outcome {
        case .transferred: reason = "transferred"
        case .failed(let detail): reason = "transfer_failed (\(detail))"
        }
        // hangUp only ends calls in dialog phases it knows; the transfer is over either way.
        calls[callID]?.phase = .confirmed
        return [.transferFinished(callID: callID, outcome: outcome)] + hangUp(callID, reason: reason)
    }

    /// Whether an `Event` header names the refer package (`refer`, `refer;id=2`).
    static func isReferEvent(_ value: String?) -> Bool {
        guard let value else { return false }
        let package = value.split(separator: ";", maxSplits: 1).first ?? ""
        return package.filter { $0 != " " && $0 != "\t" }.lowercased() == "refer"
    }

    /// The status code of a `message/sipfrag` body's status line (`SIP/2.0 200 OK`).
    static func sipfragStatus(_ body: [UInt8]) -> Int? {
        let text = String(decoding: body, as: UTF8.self)
        guard let line = text.split(whereSeparator: \.isNewline).first else { return nil }
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2, words[0].uppercased().hasPrefix("SIP/"), let code = Int(words[1]),
              (100...699).contains(code) else { return nil }
        return code
    }
}
