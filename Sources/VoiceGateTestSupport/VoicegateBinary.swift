public import Foundation

/// The built `voicegate` executable (`.build/<config>/voicegate`), for tests that run the CLI
/// or the gateway as a user would.
/// - Throws: `VoicegateBinaryNotFound` naming the folders searched.
public func voicegateBinary() throws -> URL {
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
    candidates.append(Bundle.main.bundleURL)
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
    // This file is Sources/VoiceGateTestSupport/VoicegateBinary.swift: three levels up is the package.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug"))
    for dir in candidates {
        let url = dir.appendingPathComponent("voicegate")
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { return url }
    }
    throw VoicegateBinaryNotFound(searched: candidates.map(\.path))
}

/// `voicegateBinary()` found no executable.
public struct VoicegateBinaryNotFound: Error, CustomStringConvertible {
    /// The folders looked in.
    public var searched: [String]
    public var description: String { "voicegate binary not found near \(searched); run swift build first" }
}
