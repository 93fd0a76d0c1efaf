import Foundation
import Testing
import VoiceGateDialog
import VoiceGateDSP
import VoiceGateMedia
import VoiceGateTestSupport

/// The repository root, found from this file.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped bank menu, validated.
func shippedMenu() throws -> Menu {
    let text = try String(contentsOf: repoRoot.appendingPathComponent("Config/menu.yaml"), encoding: .utf8)
    return try MenuLoader.load(yaml: text, file: "Config/menu.yaml").get()
}

/// Prompt audio that identifies itself: each prompt is a steady tone whose frequency is
/// derived from its segments, 1.5 s long, so a test can tell from the heard audio which
/// prompt played and where it was cut.
struct ToneyPrompts: PromptAudioSource {
    static func frequency(_ segments: [PromptSegment]) -> Double {
        var h: UInt32 = 2166136261
        for byte in "\(segments)".utf8 { h = (h ^ UInt32(byte)) &* 16777619 }
        return 400 + Double(h % 40) * 25  // 400...1375 Hz, away from silence
    }
    func audio(for segments: [PromptSegment], language: Language, slow: Bool, sampleRate: Int) async throws -> [Int16] {
        ToneGenerator.beep(frequency: Self.frequency(segments), duration: 1.5, level: -12, sampleRate: sampleRate)
    }
}

/// A bank that knows one customer and answers at once.
struct FixedBank: BankBackend {
    func perform(_ request: BackendRequest) async -> BackendResult {
        switch request {
        case .customerProfile: .profile(known: true, assisted: false)
        case let .verifyIdentity(_, last4, pin): .identity(verified: last4 == "1234" && pin == "4321", accountRef: "acc-1")
        case .balance: .balance(minorUnits: 123_456, currency: "USD")
        case .blockCard: .cardBlocked(confirmation: "10000001")
        case .lastStatement: .statement(amountDueMinor: 23_450, currency: "USD", dueYear: 2026, dueMonth: 12, dueDay: 15)
        }
    }
}

/// Caller audio: line noise with keys at the given seconds.
func callerAudio(seconds: Double, keys: [(Character, Double)]) -> [Int16] {
    var audio = ToneGenerator.noise(.white, duration: seconds, level: -60, seed: 5)
    for (key, at) in keys {
        let tone = ToneGenerator.dtmf(DTMFDigit(rawValue: key)!, duration: 0.1, level: -10)
        audio = ToneGenerator.mix(audio, tone, offset: Int(at * 8000))
    }
    return audio
}

@Suite struct CallSessionTests {
    let call = CallInfo(callID: "t-1", callerNumber: "+15550001", calledNumber: "+18005550100")

    @Test func keysInTheCallersAudioReachTheBalanceThroughTheRealDetector() async throws {
        let simulator = CallSimulator(engine: DialogEngine(menu: try shippedMenu()), prompts: ToneyPrompts(),
                                      bank: FixedBank(), maximumSeconds: 60)
        // 1 = balance; account 1234 then #; PIN 4321 then #.
        let keys: [(Character, Double)] = [("1", 2.0), ("1", 4.0), ("2", 4.3), ("3", 4.6), ("4", 4.9), ("#", 5.2),
                                           ("4", 7.0), ("3", 7.3), ("2", 7.6), ("1", 7.9), ("#", 8.2)]
        let result = await simulator.run(call: call, caller: callerAudio(seconds: 12, keys: keys))
        let nodes = result.trace.filter { $0.type == "node" }.compactMap(\.node)
        #expect(nodes.contains("say_balance"), "nodes: \(nodes)")
        #expect(result.trace.contains { $0.type == "lookup" && $0.jsonLine().contains("\"result\":\"verified\"") })
        let lines = result.trace.map { $0.jsonLine() }.joined(separator: "\n")
        #expect(!lines.contains("4321"), "the PIN never reaches the trace")
        #expect(result.trace.contains { $0.type == "prompt" && $0.jsonLine().contains("\"id\":\"balance_is\"") })
    }

    @Test func aKeyStopsABargeablePromptWithinOneFrame() async throws {
        let menu = try shippedMenu()
        var (session, requests) = CallSession.start(engine: DialogEngine(menu: menu), call: call)
        let prompts = ToneyPrompts()
        var heard: [Int16] = []
        var trace: [TraceEvent] = []
        let caller = callerAudio(seconds: 4, keys: [("2", 1.0)])  // during the greeting
        var out = [Int16](repeating: 0, count: 160)
        func fulfil(_ reqs: [SessionRequest]) async throws {
            var pending = reqs
            while !pending.isEmpty {
                switch pending.removeFirst() {
                case let .render(id, segments, language, slow):
                    session.promptAudio(playID: id, samples: try await prompts.audio(for: segments, language: language, slow: slow, sampleRate: 8000))
                case .lookup: pending += session.backendAnswered(.profile(known: true, assisted: false))
                case .trace(let e): trace.append(e)
                default: break
                }
            }
        }
        try await fulfil(requests)
        for k in 0..<(caller.count / 160) {
            requests = caller[k * 160..<(k + 1) * 160].withUnsafeBufferPointer { i in
                out.withUnsafeMutableBufferPointer { o in session.process(inbound: i, outbound: o) }
            }
            heard += out
            try await fulfil(requests)
        }
        let barged = try #require(trace.first { $0.jsonLine().contains("\"state\":\"barged\"") })
        let digit = try #require(trace.first { $0.type == "dtmf" })
        #expect(barged.atMs == digit.atMs, "the prompt stops in the frame the key is confirmed")
        // The key pressed at 1.0 s is confirmed within 60 ms, and the greeting's tone is gone from
        // the heard audio one frame later (the transfer flow's own prompt follows).
        #expect(digit.atMs >= 1000 && digit.atMs <= 1060)
        let greetingTone = ToneyPrompts.frequency([.prompt("greeting")])
        let after = Array(heard[Int(digit.atMs + 20) * 8..<Int(digit.atMs + 20) * 8 + 160])
        let before = Array(heard[Int(digit.atMs - 100) * 8..<Int(digit.atMs - 100) * 8 + 160])
        #expect(goertzelPower(before, greetingTone) > 100 * goertzelPower(after, greetingTone))
    }

    @Test func speechWithoutARecogniserIsANoMatchButAKeyIsNot() async throws {
        let simulator = CallSimulator(engine: DialogEngine(menu: try shippedMenu()), prompts: ToneyPrompts(),
                                      bank: FixedBank(), maximumSeconds: 8)
        // A syllable train (speech-like) at 2 s, then one key at 5 s.
        var audio = ToneGenerator.noise(.white, duration: 8, level: -60, seed: 5)
        let speech = SyntheticSpeech.pcm(SyntheticSpeech.syllables(duration: 1.0, sampleRate: 8000))
        audio = ToneGenerator.mix(audio, speech, offset: 16000)
        audio = ToneGenerator.mix(audio, ToneGenerator.dtmf(.two, duration: 0.1, level: -10), offset: 40000)
        let result = await simulator.run(call: call, caller: audio)
        let noMatches = result.trace.filter { $0.type == "nomatch" }
        #expect(noMatches.count == 1, "one utterance, one no-match; the key is not speech")
        #expect(result.trace.contains { $0.type == "dtmf" })
    }
}

/// Power of `frequency` in `x` (8 kHz), by Goertzel.
func goertzelPower(_ x: [Int16], _ frequency: Double) -> Double {
    let w = 2 * Double.pi * frequency / 8000, c = 2 * cos(w)
    var s1 = 0.0, s2 = 0.0
    for v in x { let s = Double(v) + c * s1 - s2; s2 = s1; s1 = s }
    return s1 * s1 + s2 * s2 - c * s1 * s2
}

@Suite struct CallSessionStartTests {
    @Test func everyRequestIsHandedOutOnce() throws {
        let call = CallInfo(callID: "t-2", callerNumber: "+15550001", calledNumber: "+18005550100")
        var (session, first) = CallSession.start(engine: DialogEngine(menu: try shippedMenu()), call: call)
        #expect(first.contains { if case .lookup = $0 { true } else { false } })
        var out = [Int16](repeating: 0, count: 160)
        let silence = [Int16](repeating: 0, count: 160)
        let next = silence.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in session.process(inbound: i, outbound: o) } }
        #expect(!next.contains { if case .lookup = $0 { true } else { false } }, "the profile lookup is not asked twice")
    }
}
