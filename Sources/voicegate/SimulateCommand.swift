import ArgumentParser
import Foundation
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateDSP
import VoiceGateMedia

/// `voicegate simulate` (DESIGN.md section 5): one whole call offline through the real
/// front end and dialog engine. DTMF in the schedule is mixed into the caller's audio as
/// tones, so keys go through the same in-band detector as on a phone line.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run one call offline: caller audio in, what the caller heard and a trace out.")

    @Option(help: "Caller audio (mono 8 or 16 kHz WAV).")
    var caller: String

    @Option(help: "Keys to press, as DIGIT@SECONDS separated by commas, e.g. \"1@2.5,2@3.0\".")
    var dtmf: String?

    @Option(help: "Where to write what the caller heard (8 kHz WAV).")
    var heard: String

    @Option(help: "Where to write the trace (JSON lines).")
    var trace: String

    @Option(help: "Also store the call in this records database (SQLite, as serve --db; docs/records.md).")
    var db: String?

    @OptionGroup var files: MenuFileOptions

    @OptionGroup var callOptions: CallOptions

    @OptionGroup var keywords: KeywordOptions

    @Option(help: "Seconds after which the caller hangs up if the IVR has not ended the call.")
    var maxSeconds: Double = 180

    @Flag(help: "Print a JSON summary of the call on stdout.")
    var summary = false

    func validate() throws {
        _ = try KeySchedule(parsing: dtmf ?? "")
        guard maxSeconds > 0 else { throw ValidationError("--max-seconds must be positive") }
    }

    func run() async throws {
        let menu = try files.loadMenu()
        var audio: [Int16]
        do {
            audio = try WAVFile.read(path: caller).resampled(to: CallFrontEnd.sampleRate).samples
        } catch let error as WAVError {
            throw ValidationError(error.description)
        }
        audio = try KeySchedule(parsing: dtmf ?? "").mixed(into: audio, sampleRate: CallFrontEnd.sampleRate)

        let bank = try await callOptions.openBank()
        defer { try? bank.close() }
        let prompts = try callOptions.openPrompts(files.prompts)

        let simulator = CallSimulator(engine: DialogEngine(menu: menu), prompts: prompts, bank: bank.backend,
                                      recognizer: try keywords.recognizer(languages: menu.languages, menuFile: files.menu), maximumSeconds: maxSeconds)
        let call = callOptions.call(prefix: "sim")
        let result = await simulator.run(call: call, caller: audio) { problem in
            FileHandle.standardError.write(Data("voicegate: \(problem)\n".utf8))
        }

        try WAVFile.write(AudioClip(sampleRate: CallFrontEnd.sampleRate, samples: result.heard), to: heard)
        let lines = result.trace.map { $0.jsonLine() + "\n" }.joined()
        guard FileManager.default.createFile(atPath: trace, contents: Data(lines.utf8)) else {
            throw ValidationError("cannot write \(trace)")
        }
        if let db { try await recordCall(call, result: result, menu: menu, in: db) }
        if summary {
            let nodes = result.trace.filter { $0.type == "node" }.compactMap(\.node)
            let out: [String: Any] = [
                "call_id": call.callID,
                "outcome": result.outcome?.rawValue ?? NSNull(),
                "duration_s": (result.durationSeconds * 1000).rounded() / 1000,
                "nodes": nodes,
                "transfer": result.transfer.map { ["queue": $0.queue, "reason": $0.reason] } ?? NSNull(),
                "heard": heard,
                "trace": trace,
            ]
            let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// The `--dtmf` schedule: keys and the second at which each is pressed.
struct KeySchedule {
    /// Key presses in time order.
    var presses: [(digit: DTMFDigit, seconds: Double)]

    /// Parses `1@2.5,2@3.0`.
    init(parsing text: String) throws {
        presses = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 1, let digit = DTMFDigit(rawValue: parts[0].first!),
                  let seconds = Double(parts[1]), seconds >= 0, seconds.isFinite else {
                throw ValidationError("--dtmf: '\(item)' is not DIGIT@SECONDS (digits 0-9, *, #, A-D)")
            }
            presses.append((digit, seconds))
        }
        presses.sort { $0.seconds < $1.seconds }
    }

    /// Tone length and level of a press: a firm 100 ms key at −10 dBm0 per tone, like a phone.
    static let toneSeconds = 0.1, levelDBm0 = -10.0

    /// `audio` with each press mixed in as its DTMF tone pair (extended with silence as needed).
    func mixed(into audio: [Int16], sampleRate: Int) throws -> [Int16] {
        var out = audio
        for press in presses {
            let tone = ToneGenerator.dtmf(press.digit, duration: Self.toneSeconds, level: Self.levelDBm0, sampleRate: sampleRate)
            out = ToneGenerator.mix(out, tone, offset: Int(press.seconds * Double(sampleRate)))
        }
        return out
    }
}
