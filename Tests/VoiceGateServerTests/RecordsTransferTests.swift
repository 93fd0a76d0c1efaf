import Foundation
import Testing
import VoiceGateDialog
import VoiceGateStore
import VoiceGateTestSupport

/// A real transfer through `voicegate serve --db`: the caller presses 0 (SIP INFO), accepts
/// the REFER and reports the agent answered (NOTIFY 200 sipfrag); the records show the call
/// `transferred`, with its reason and the agent's context under the Call-ID.
@Suite(.serialized) struct RecordsTransferTests {
    /// INVITE/ACK as `SippEndToEndTests.scenario`, then key 0 by INFO, REFER answered 202,
    /// NOTIFY with a 200 sipfrag, and the server's BYE answered 200.
    static func transferScenario() -> String {
        let head = SippEndToEndTests.scenario(middle: "").components(separatedBy: "  <send retrans=\"500\">\n    <![CDATA[\nBYE")[0]
        func inDialog(_ method: String, cseq: Int, headers: String, body: String) -> String {
            """
              <send retrans="500">
                <![CDATA[
            \(method) sip:ivr@[remote_ip]:[remote_port] SIP/2.0
            Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
            From: "Test" <sip:+15550001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
            To: <sip:ivr@[remote_ip]:[remote_port]>[peer_tag_param]
            Call-ID: [call_id]
            CSeq: \(cseq) \(method)
            Contact: <sip:sipp@[local_ip]:[local_port]>
            Max-Forwards: 70
            \(headers)
            Content-Length: [len]

            \(body)
            ]]>
              </send>
              <recv response="200"/>

            """
        }
        let ok = """
              <send>
                <![CDATA[
            SIP/2.0 %@
            [last_Via:]
            [last_From:]
            [last_To:]
            [last_Call-ID:]
            [last_CSeq:]
            Contact: <sip:sipp@[local_ip]:[local_port]>
            Content-Length: 0

            ]]>
              </send>

            """
        return head
            + "  <pause milliseconds=\"800\"/>\n"
            + inDialog("INFO", cseq: 2, headers: "Content-Type: application/dtmf-relay", body: "Signal=0\r\nDuration=160")
            + "  <recv request=\"REFER\"/>\n" + ok.replacingOccurrences(of: "%@", with: "202 Accepted")
            + inDialog("NOTIFY", cseq: 3, headers: "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag;version=2.0",
                       body: "SIP/2.0 200 OK")
            + "  <recv request=\"BYE\"/>\n" + ok.replacingOccurrences(of: "%@", with: "200 OK")
            + "</scenario>\n"
    }

    @Test(.enabled(if: SippEndToEndTests.sippPath != nil, "sipp (sip-tester) is not installed; run make setup"))
    func aSuccessfulReferIsRecordedAsTransferredWithItsContext() async throws {
        let run = try ServerRun()
        defer { run.stop() }
        let sipp = try run.sipp(scenario: Self.transferScenario())
        #expect(sipp.status == 0, "sipp failed:\n\(sipp.output)\nserver log:\n\(run.log())")
        #expect(run.stop() == 0)

        let store = try CallStore(path: run.directory.appendingPathComponent("db.sqlite").path)
        let call = try #require(try await store.calls().first)
        #expect(call.outcome == .transferred, "log:\n\(run.log())")
        #expect(call.transferReason != nil && call.endDetail == "transferred")
        let context = try #require(try await store.transferContext(callID: call.id))
        #expect(context.callID == call.id && context.ani == "+15550001")
        #expect(try await store.events(callID: call.id).contains { $0.type == "transfer" })
        try store.close()
    }
}
