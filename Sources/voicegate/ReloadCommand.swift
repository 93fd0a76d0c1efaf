import ArgumentParser
import Foundation
import Glibc
import VoiceGateServer

/// `voicegate reload`: checks the menu and prompt files on disk and, when they are valid,
/// sends SIGHUP to the running `voicegate serve` (its pid file), which validates them again and
/// swaps them in for new calls; calls in progress keep what they started with.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make a running 'voicegate serve' re-read Config/menu.yaml and Prompts/ (SIGHUP).",
        discussion: """
            Invalid files are reported here (file:line:column: message) and nothing is sent; the \
            server also rejects invalid files itself (and logs why), keeping the running version. \
            Same as 'kill -HUP $(cat var/voicegate.pid)' or 'POST /api/admin/reload'.
            """)

    @Option(help: "The pid file 'voicegate serve' wrote (its --pid-file).")
    var pidFile = "var/voicegate.pid"

    @OptionGroup var files: MenuFileOptions

    func run() throws {
        if case .failure(let problems) = VersionPublisher.readDisk(menuFile: files.menu, promptsFolder: files.prompts) {
            FileHandle.standardError.write(Data((problems.description + "\nvoicegate reload: not reloaded; the running version stays\n").utf8))
            throw ExitCode(1)
        }
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            throw ValidationError("cannot read a process id from \(pidFile) (is 'voicegate serve' running here?)")
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw ValidationError("cannot signal process \(pid) from \(pidFile): \(String(cString: strerror(errno)))")
        }
        print("voicegate reload: sent SIGHUP to \(pid); the server logs what it reloaded")
    }
}
