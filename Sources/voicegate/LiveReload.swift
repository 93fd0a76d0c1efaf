import Dispatch
import Foundation
import Glibc
import VoiceGateServer

/// `voicegate serve`'s side of `voicegate reload`: SIGHUP re-reads the menu and prompts from
/// disk (validated, then swapped for new calls), and the pid file tells `reload` whom to signal.
enum LiveReload {
    /// Handles SIGHUP for the life of the returned source (cancel it to stop).
    static func onSIGHUP(publisher: VersionPublisher) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task { await publisher.reloadFromDisk(by: ChangeAuthor(who: "reload", source: "SIGHUP")) }
        }
        source.resume()
        return source
    }

    /// Writes this process's id to `path` (creating its folder); nil when `path` is empty.
    static func writePIDFile(_ path: String) throws -> String? {
        guard !path.isEmpty else { return nil }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Removes the pid file if it still names this process.
    static func removePIDFile(_ path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == getpid() else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
