import Testing
import VoiceGateDialog
import VoiceGateMedia

/// Response latency: the end of the caller's input to the first audio of the answering prompt.
@Suite struct ResponseLatencyTests {
    let call = CallInfo(callID: "t-latency", callerNumber: "+15550001", calledNumber: "+18005550100")

    @Test func meterMeasuresFromTheInputToTheFirstPromptAskedForAfterIt() {
        var meter = ResponseLatencyMeter()
        meter.promptRequested(playID: "before")  // asked before any input: not an answer
        meter.promptStarted(playID: "before", atMs: 100)
        #expect(meter.take() == nil)
        meter.inputEnded(atMs: 1000)
        meter.promptRequested(playID: "answer")
        meter.promptRequested(playID: "second")
        meter.promptStarted(playID: "second", atMs: 1100)  // not the first asked after the input
        meter.promptStarted(playID: "answer", atMs: 1420)
        #expect(meter.take() == 420)
        #expect(meter.take() == nil, "taken once")
    }

    @Test func aNoInputOrAStoppedAnswerCancelsTheWaitAndANewInputRestartsIt() {
        var meter = ResponseLatencyMeter()
        meter.inputEnded(atMs: 0)
        meter.noInput()
        meter.promptRequested(playID: "reprompt")
        meter.promptStarted(playID: "reprompt", atMs: 5000)
        #expect(meter.take() == nil, "a reprompt after silence answers nothing")
        meter.inputEnded(atMs: 6000)
        meter.promptRequested(playID: "a")
        meter.promptStopped(playID: "a")
        meter.promptStarted(playID: "a", atMs: 6100)
        #expect(meter.take() == nil)
        meter.inputEnded(atMs: 7000)
        meter.inputEnded(atMs: 7300)  // the last key of several counts
        meter.promptRequested(playID: "b")
        meter.promptStarted(playID: "b", atMs: 7500)
        #expect(meter.take() == 200)
    }

    /// Drives the shipped menu with silence: prompts asked for after `keyAtFrame` get their
    /// audio only `renderDelayFrames` later (a slow renderer); returns every latency taken.
    func run(keyAtFrame: Int?, renderDelayFrames: Int, frames: Int) async throws -> [Int64] {
        var (session, requests) = CallSession.start(engine: DialogEngine(menu: try shippedMenu()), call: call)
        let prompts = ToneyPrompts()
        var held: [(dueFrame: Int, playID: String, samples: [Int16])] = []
        var latencies: [Int64] = []
        var frame = 0
        var keyPressed = false
        func fulfil(_ reqs: [SessionRequest]) async throws {
            var pending = reqs
            while !pending.isEmpty {
                switch pending.removeFirst() {
                case let .render(id, segments, language, slow):
                    let samples = try await prompts.audio(for: segments, language: language, slow: slow, sampleRate: 8000)
                    if keyPressed { held.append((frame + renderDelayFrames, id, samples)) } else { session.promptAudio(playID: id, samples: samples) }
                case .lookup(let request): pending += session.backendAnswered(await FixedBank().perform(request))
                default: break
                }
            }
        }
        try await fulfil(requests)
        let silence = [Int16](repeating: 0, count: 160)
        var out = [Int16](repeating: 0, count: 160)
        while frame < frames {
            for item in held where item.dueFrame <= frame { session.promptAudio(playID: item.playID, samples: item.samples) }
            held.removeAll { $0.dueFrame <= frame }
            if frame == keyAtFrame {
                keyPressed = true
                try await fulfil(session.keyPressed("1"))
            }
            requests = silence.withUnsafeBufferPointer { i in
                out.withUnsafeMutableBufferPointer { o in session.process(inbound: i, outbound: o) }
            }
            if let ms = session.takeResponseLatencyMs() { latencies.append(ms) }
            try await fulfil(requests)
            frame += 1
        }
        return latencies
    }

    @Test func aKeyAnsweredByASlowRenderMeasuresTheRenderTime() async throws {
        // Key 1 during the greeting at 1 s; the answer's audio arrives 15 frames (300 ms) later.
        let latencies = try await run(keyAtFrame: 50, renderDelayFrames: 15, frames: 150)
        let first = try #require(latencies.first, "no latency measured")
        #expect(first >= 300 && first <= 340, "\(latencies)")
        let fast = try await run(keyAtFrame: 50, renderDelayFrames: 2, frames: 150)
        #expect((fast.first ?? .max) < first, "a faster render gives a shorter wait: \(fast) vs \(latencies)")
    }

    @Test func aSilentCallerMeasuresNothing() async throws {
        // Greeting, no-input, reprompt ...: none of these answers an input.
        let latencies = try await run(keyAtFrame: nil, renderDelayFrames: 0, frames: 600)
        #expect(latencies.isEmpty, "\(latencies)")
    }
}
