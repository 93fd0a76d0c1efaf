import Foundation
import Testing
import VoiceGateDialog

/// The trace line format other tools read (DESIGN.md section 5).
@Suite struct TraceJSONTests {
    @Test func linesHaveStableKeysAndRoundTrip() throws {
        let events: [TraceEvent] = [
            TraceEvent(atMs: 0, node: "greeting", .node),
            TraceEvent(atMs: 1234, node: "greeting", .prompt(id: "greeting", language: .en, state: .barged, playID: "p1")),
            TraceEvent(atMs: 1500, node: "identify_pin", .dtmf(digit: "*", masked: true, typeAhead: true)),
            TraceEvent(atMs: 2005, node: "greeting", .intent(name: "card", confidence: 0.875, source: .speech)),
            TraceEvent(atMs: 7000, node: "greeting", .noInput(count: 2)),
            TraceEvent(atMs: 7100, node: "greeting", .noMatch(count: 1, loud: true)),
            TraceEvent(atMs: 8000, node: "balance", .lookup(request: "balance", result: "timeout")),
            TraceEvent(atMs: 9000, node: nil, .hangup(by: "caller", outcome: .abandoned)),
        ]
        let lines = events.map { $0.jsonLine() }
        #expect(lines[0] == #"{"t":0.000,"type":"node","node":"greeting"}"#)
        #expect(lines[1] == #"{"t":1.234,"type":"prompt","node":"greeting","id":"greeting","lang":"en","state":"barged","play":"p1"}"#)
        #expect(lines[2] == #"{"t":1.500,"type":"dtmf","node":"identify_pin","digit":"*","masked":true,"typeahead":true}"#)
        #expect(lines[3] == #"{"t":2.005,"type":"intent","node":"greeting","name":"card","confidence":0.875,"source":"speech"}"#)
        #expect(lines[7] == #"{"t":9.000,"type":"hangup","by":"caller","outcome":"abandoned"}"#)
        for (line, event) in zip(lines, events) {
            let decoded = try JSONDecoder().decode(TraceEvent.self, from: Data(line.utf8))
            #expect(decoded == event)
            let viaCodable = try JSONDecoder().decode(TraceEvent.self, from: JSONEncoder().encode(event))
            #expect(viaCodable == event)
        }
    }

    @Test func transferLinesCarryTheContext() throws {
        var call = CallSimulator(menu: try shippedMenu())
        call.press("5")
        call.finishPrompt()
        let line = try #require(call.traces.first { $0.type == "transfer" }).jsonLine()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["queue"] as? String == "agents")
        #expect(object["reason"] as? String == "loan")
        let context = try #require(object["context"] as? [String: Any])
        for key in ["call_id", "ani", "language", "intent_path", "keywords", "verified", "masked_fields",
                    "failure_counts", "frustration", "time_in_ivr_ms", "reason", "queue", "priority"] {
            #expect(context[key] != nil, "context lacks \(key)")
        }
        let decoded = try JSONDecoder().decode(TraceEvent.self, from: Data(line.utf8))
        #expect(decoded == call.traces.first { $0.type == "transfer" })
    }
}
