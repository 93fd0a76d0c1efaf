import Testing
import VoiceGateDialog
import VoiceGateDSP
import VoiceGateMedia
import VoiceGateTestSupport

/// A stand-in spotter for the barge-in rule (the real engine is tested in its own target):
/// any utterance longer than `minimumMs` "is" `intent`, if the node accepts it; anything
/// shorter (a cough) is nothing.
struct LongUtteranceRecognizer: UtteranceRecognizer {
    var intent: String
    var minimumMs: Double

    func recognize(_ utterance: Utterance, expected: [ExpectedIntent], language: Language) -> Recognition? {
        guard (utterance.speechEnd - utterance.speechStart) * 1000 >= minimumMs,
              expected.contains(where: { $0.intent == intent }) else { return nil }
        return Recognition(intent: intent, phrase: intent, confidence: 0.9)
    }
}

/// One call through `CallSession` with plain arrays: every prompt is a 6 s tone named by its
/// segments (longer than any caller turn here), the bank answers at once, and what the caller
/// hears is kept frame by frame with the trace events each frame produced.
struct BargeInCall {
    var session: CallSession
    var heard: [[Int16]] = []
    /// Trace events with the index of the frame whose `process` call produced them (-1: before).
    var trace: [(frame: Int, event: TraceEvent)] = []

    init(menu: Menu, recognizer: (any UtteranceRecognizer)?) {
        let call = CallInfo(callID: "barge-1", callerNumber: "+15550001", calledNumber: "+18005550100")
        let (session, first) = CallSession.start(engine: DialogEngine(menu: menu), call: call, recognizer: recognizer)
        self.session = session
        fulfil(first, frame: -1)
    }

    static func promptAudio(_ segments: [PromptSegment]) -> [Int16] {
        ToneGenerator.beep(frequency: ToneyPrompts.frequency(segments), duration: 6, level: -12, sampleRate: 8000)
    }

    mutating func fulfil(_ requests: [SessionRequest], frame: Int) {
        var pending = requests
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case let .render(id, segments, _, _): session.promptAudio(playID: id, samples: Self.promptAudio(segments))
            case .lookup: pending += session.backendAnswered(.profile(known: true, assisted: false))
            case .trace(let event): trace.append((frame, event))
            default: break
            }
        }
    }

    /// Feeds the caller's audio, 20 ms at a time.
    mutating func run(caller: [Int16]) {
        var out = [Int16](repeating: 0, count: CallFrontEnd.frameSamples)
        for k in 0..<(caller.count / CallFrontEnd.frameSamples) {
            let requests = caller[k * 160..<(k + 1) * 160].withUnsafeBufferPointer { inbound in
                out.withUnsafeMutableBufferPointer { session.process(inbound: inbound, outbound: $0) }
            }
            heard.append(out)
            fulfil(requests, frame: k)
        }
    }

    /// The frame whose processing recorded the first event of `type`.
    func frame(of type: String) -> Int? { trace.first { $0.event.type == type }?.frame }

    /// Whether frame `k` carries the greeting's tone.
    func greetingPlays(in k: Int) -> Bool {
        let tone = ToneyPrompts.frequency([.prompt("greeting")])
        let frame = heard[k]
        let energy = frame.reduce(0.0) { $0 + Double($1) * Double($1) }
        // The tone's power holds most of the frame's energy when the greeting plays.
        return energy > 0 && goertzelPower(frame, tone) > 0.25 * energy * Double(frame.count) / 2
    }
}

@Suite struct BargeInSessionTests {
    /// Line noise at −60 dBFS with `bursts` mixed in at the given seconds.
    static func caller(seconds: Double, _ bursts: [([Int16], Double)]) -> [Int16] {
        var audio = ToneGenerator.noise(.white, duration: seconds, level: -60, seed: 5)
        for (burst, at) in bursts { audio = ToneGenerator.mix(audio, burst, offset: Int(at * 8000)) }
        return audio
    }

    /// Speech-like syllables (harmonics of a gliding pitch, 120–220 ms syllables).
    static func speech(_ seconds: Double) -> [Int16] {
        SyntheticSpeech.pcm(SyntheticSpeech.syllables(duration: seconds, sampleRate: 8000, levelDBFS: -20))
    }

    /// A cough-like burst: broadband noise, loud, `ms` long.
    static func cough(ms: Int, seed: UInt64) -> [Int16] {
        ToneGenerator.noise(.white, duration: Double(ms) / 1000, level: -15, seed: seed)
    }

    /// The shipped menu with `barge_in_energy: true` on the greeting.
    static func energyMenu() throws -> Menu {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
        let edited = text.replacingOccurrences(of: "  greeting:\n    type: menu\n", with: "  greeting:\n    type: menu\n    barge_in_energy: true\n")
        #expect(edited != text)
        return try MenuLoader.load(yaml: edited, file: "menu.yaml").get()
    }

    /// The barge-in's frame is silent (nothing else is ready yet) and the greeting never
    /// comes back; it played right before.
    static func expectStoppedWithinOneFrame(_ call: BargeInCall, at k: Int) {
        #expect(k > 5)
        #expect(call.greetingPlays(in: k - 1), "the greeting plays up to the barge-in")
        #expect(call.heard[k].allSatisfy { $0 == 0 }, "the very frame of the barge-in is silent")
        #expect(!(k..<call.heard.count).contains { call.greetingPlays(in: $0) }, "the greeting never resumes")
    }

    @Test func aRecognisedKeywordStopsThePromptWithinOneFrame() throws {
        var call = BargeInCall(menu: try shippedMenu(), recognizer: LongUtteranceRecognizer(intent: "card", minimumMs: 400))
        call.run(caller: Self.caller(seconds: 4, [(Self.speech(1.0), 0.5)]))
        let k = try #require(call.frame(of: "bargein"))
        Self.expectStoppedWithinOneFrame(call, at: k)
        let barge = try #require(call.trace.first { $0.event.type == "bargein" }).event
        #expect(barge.detail == .bargeIn(cause: .keyword, id: "greeting", playID: "p1", intent: "card", confidence: 0.9))
        // The keyword is known only once the utterance has ended (trailing silence, 700 ms).
        #expect(barge.atMs >= 1300 + 700 && barge.atMs <= 1500 + 700 + 300, "at \(barge.atMs) ms")
        #expect(call.trace.contains { $0.event.type == "node" && $0.event.node == "card_last4" })
    }

    @Test func aConfirmedKeyStopsThePromptWithinOneFrame() throws {
        var call = BargeInCall(menu: try shippedMenu(), recognizer: nil)
        call.run(caller: Self.caller(seconds: 3, [(ToneGenerator.dtmf(.three, duration: 0.1, level: -10), 1.0)]))
        let k = try #require(call.frame(of: "bargein"))
        Self.expectStoppedWithinOneFrame(call, at: k)
        #expect(call.frame(of: "dtmf") == k, "the key and the stop are the same frame")
        #expect(k * 20 >= 1000 && k * 20 <= 1060, "confirmed within 60 ms of the key's start (frame \(k))")
    }

    @Test func coughsDoNotStopABargeablePromptByDefault() throws {
        var call = BargeInCall(menu: try shippedMenu(), recognizer: LongUtteranceRecognizer(intent: "card", minimumMs: 400))
        let coughs = [(Self.cough(ms: 150, seed: 11), 0.6), (Self.cough(ms: 250, seed: 12), 2.0), (Self.cough(ms: 200, seed: 13), 3.4)]
        call.run(caller: Self.caller(seconds: 5, coughs))
        #expect(call.frame(of: "bargein") == nil)
        #expect(!call.trace.contains { $0.event.type == "prompt" && $0.event.jsonLine().contains(#""state":"barged""#) })
        // The front end did hear them (they are loud enough to be "speech"); the prompt played on.
        #expect((0..<call.heard.count).allSatisfy { call.greetingPlays(in: $0) }, "the greeting plays through every cough")
    }

    @Test func sustainedSpeechDoesNotStopAPromptByDefaultWhenNothingIsRecognised() throws {
        var call = BargeInCall(menu: try shippedMenu(), recognizer: nil)
        call.run(caller: Self.caller(seconds: 4, [(Self.speech(1.5), 0.5)]))
        #expect(call.frame(of: "bargein") == nil)
        #expect((0..<call.heard.count).allSatisfy { call.greetingPlays(in: $0) })
    }

    @Test func withEnergyBargeInSustainedSpeechStopsThePromptAtItsOnset() throws {
        var call = BargeInCall(menu: try Self.energyMenu(), recognizer: nil)
        call.run(caller: Self.caller(seconds: 4, [(Self.speech(1.5), 0.5)]))
        let k = try #require(call.frame(of: "bargein"))
        Self.expectStoppedWithinOneFrame(call, at: k)
        let barge = try #require(call.trace.first { $0.event.type == "bargein" }).event
        #expect(barge.detail == .bargeIn(cause: .energy, id: "greeting", playID: "p1", intent: nil, confidence: nil))
        // At the confirmed onset (VAD 30 ms + endpointer minimum 100 ms), not at the end of speech.
        #expect(barge.atMs >= 500 && barge.atMs <= 500 + 250, "at \(barge.atMs) ms")
        // Nothing was recognised: the utterance ends in a no-match, and that barge-in was false.
        let types = call.trace.map(\.event.type)
        let noMatch = try #require(types.firstIndex(of: "nomatch"))
        #expect(types[noMatch + 1] == "false_bargein")
    }

    @Test func withEnergyBargeInAKeywordIsNotAFalseBargeIn() throws {
        var call = BargeInCall(menu: try Self.energyMenu(), recognizer: LongUtteranceRecognizer(intent: "card", minimumMs: 400))
        call.run(caller: Self.caller(seconds: 4, [(Self.speech(1.0), 0.5)]))
        #expect(call.trace.filter { $0.event.type == "bargein" }.map(\.frame) == [try #require(call.frame(of: "bargein"))])
        #expect(call.frame(of: "false_bargein") == nil)
        #expect(call.trace.contains { $0.event.type == "node" && $0.event.node == "card_last4" })
    }

    @Test func withEnergyBargeInACoughDoesBargeAndCountsAsFalse() throws {
        // The trade-off ops opt into: energy cannot tell a 250 ms cough from a short word.
        var call = BargeInCall(menu: try Self.energyMenu(), recognizer: LongUtteranceRecognizer(intent: "card", minimumMs: 400))
        call.run(caller: Self.caller(seconds: 3, [(Self.cough(ms: 250, seed: 12), 0.6)]))
        #expect(call.frame(of: "bargein") != nil)
        let falseBarge = try #require(call.trace.first { $0.event.type == "false_bargein" }).event
        #expect(falseBarge.detail == .falseBargeIn(cause: .energy, id: "greeting", playID: "p1"))
    }
}
