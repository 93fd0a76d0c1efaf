import ArgumentParser
import Foundation
import VoiceGateConsole
import VoiceGateDialog
import VoiceGateMedia

/// `voicegate console`: the real dialog engine on the local sound card (ALSA), so ops can try
/// a menu by talking to it. Trace lines go to stderr as they happen (and as JSON lines to
/// `--trace`); a JSON summary of the call goes to stdout at the end.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Talk to the IVR through the local sound card (ALSA microphone and speaker).",
        discussion: """
            The microphone is the caller; the speaker plays what the caller hears. The call \
            ends when the IVR hangs up or transfers, after --max-seconds, or on Ctrl-C. \
            List devices with 'arecord -L' and 'aplay -L'; ALSA's 'null' device (silence in, \
            nothing out) runs the call without a sound card.
            """)

    @Option(help: "ALSA device for both capture and playback.")
    var device = "default"

    @Option(help: "ALSA capture device (microphone); overrides --device.")
    var captureDevice: String?

    @Option(help: "ALSA playback device (speaker); overrides --device.")
    var playbackDevice: String?

    @OptionGroup var files: MenuFileOptions

    @OptionGroup var callOptions: CallOptions

    @Option(help: "Seconds after which the caller hangs up if the IVR has not ended the call.")
    var maxSeconds: Double?

    @Option(help: "Also write the trace here (JSON lines, as voicegate simulate).")
    var trace: String?

    func validate() throws {
        if let maxSeconds { guard maxSeconds > 0, maxSeconds.isFinite else { throw ValidationError("--max-seconds must be positive") } }
    }

    func run() async throws {
        let menu = try files.loadMenu()
        var traceFile: FileHandle?
        if let trace {
            guard FileManager.default.createFile(atPath: trace, contents: nil),
                  let handle = FileHandle(forWritingAtPath: trace) else { throw ValidationError("cannot write \(trace)") }
            traceFile = handle
        }
        defer { try? traceFile?.close() }

        let bank = try await callOptions.openBank()
        defer { try? bank.close() }
        let prompts = try callOptions.openPrompts(files.prompts)

        let options = ConsoleCall.Options(captureDevice: captureDevice ?? device, playbackDevice: playbackDevice ?? device,
                                          maximumSeconds: maxSeconds)
        let console = ConsoleCall(engine: DialogEngine(menu: menu), prompts: prompts, bank: bank.backend, options: options)
        let call = callOptions.call(prefix: "console")
        say("console: call \(call.callID) from \(call.callerNumber); capture '\(options.captureDevice)', "
            + "playback '\(options.playbackDevice)'; Ctrl-C hangs up")

        let result: ConsoleCall.Result
        do {
            result = try await console.run(call: call, onTrace: { event in
                say(event.consoleLine)
                traceFile?.write(Data((event.jsonLine() + "\n").utf8))
            }, onProblem: { say("voicegate: \($0)") })
        } catch {
            say("voicegate: console: \(error)")
            throw ExitCode(1)
        }

        say("console: call ended (\(result.ending.rawValue)) after \(result.durationSeconds) s"
            + (result.xruns > 0 ? ", \(result.xruns) ALSA xrun(s) recovered" : ""))
        let out: [String: Any] = [
            "call_id": call.callID,
            "ended": result.ending.rawValue,
            "outcome": result.outcome?.rawValue ?? NSNull(),
            "duration_s": (result.durationSeconds * 1000).rounded() / 1000,
            "nodes": result.nodes,
            "transfer": result.transfer.map { ["queue": $0.queue, "reason": $0.reason] } ?? NSNull(),
            "xruns": result.xruns,
        ]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// One line of human text on stderr.
private func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
