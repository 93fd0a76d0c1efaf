import Foundation
public import VoiceGateDialog

/// Appends a call's trace events as JSON lines to `<directory>/<call-id>.jsonl` (the same
/// lines as `voicegate simulate --trace`). The Call-ID is made file-name safe.
final class TraceFile {
    private let handle: FileHandle

    /// Opens (creating) the file, or nil when `directory` is nil or not writable.
    init?(directory: String?, callID: String) {
        guard let directory else { return nil }
        let path = Self.path(directory: directory, callID: callID)
        guard let handle = Self.openForAppending(path, directory: directory, truncate: true) else { return nil }
        self.handle = handle
    }

    /// Opens with O_APPEND, so lines written through another handle (a transfer's outcome) are
    /// never overwritten by this one's next write.
    private static func openForAppending(_ path: String, directory: String, truncate: Bool) -> FileHandle? {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else { return nil }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// The trace file of `callID` in `directory`: `<call-id>.jsonl`, the Call-ID made file-name safe.
    static func path(directory: String, callID: String) -> String {
        let safe = String(callID.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return (directory as NSString).appendingPathComponent(safe + ".jsonl")
    }

    /// Appends one JSON line to the trace of a call whose `TraceFile` may be closed already
    /// (a transfer's outcome arrives after the dialog has ended): opens, appends, closes.
    static func appendLine(_ json: Data, directory: String?, callID: String) {
        guard let directory else { return }
        guard let handle = openForAppending(Self.path(directory: directory, callID: callID),
                                            directory: directory, truncate: false) else { return }
        defer { try? handle.close() }
        handle.write(json + Data("\n".utf8))
    }

    /// Appends one event.
    func append(_ event: TraceEvent) {
        handle.write(Data((event.jsonLine() + "\n").utf8))
    }

    /// Closes the file.
    func close() { try? handle.close() }
}

extension TraceEvent {
    /// A short line for the server log. Keys are never logged (not even unmasked ones: a
    /// digit outside a masked node can still be part of an account number).
    public var logLine: String {
        let place = node.map { "[\($0)] " } ?? ""
        switch detail {
        case .node: return place + "entered node"
        case let .prompt(id, language, state, _): return place + "prompt \(id) (\(language.rawValue)) \(state.rawValue)"
        case .dtmf: return place + "key pressed"
        case let .intent(name, confidence, source):
            return place + "intent \(name) (\((confidence * 100).rounded() / 100), \(source.rawValue))"
        case .noInput(let count): return place + "no input #\(count)"
        case let .noMatch(count, _): return place + "no match #\(count)"
        case let .lookup(request, result): return place + "bank \(request)" + (result.map { " -> \($0)" } ?? "")
        case let .transfer(queue, reason, priority, _): return place + "transfer to \(queue) (\(reason), priority \(priority))"
        case let .hangup(by, outcome): return place + "hangup by \(by) (\(outcome.rawValue))"
        case let .bargeIn(cause, id, _, intent, _): return place + "barge-in (\(cause.rawValue)\(intent.map { " " + $0 } ?? "")) stopped \(id)"
        case let .falseBargeIn(cause, id, _): return place + "false barge-in (\(cause.rawValue)) on \(id)"
        }
    }
}
