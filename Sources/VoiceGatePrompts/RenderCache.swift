import Foundation
import VoiceGateCodecs
import VoiceGateDSP

/// Rendered prompt audio by content key: an in-memory LRU in front of WAV files on disk, so a
/// prompt is synthesised once per machine and read from memory on every call after the first.
/// Files are written to a temporary name and renamed into place, so a crash or a concurrent
/// process never leaves a half-written cache entry.
struct RenderCache {
    /// Directory of `<key>.wav` files; nil keeps the cache in memory only.
    let directory: String?
    /// Clips kept in memory.
    let capacity: Int
    private var clips: [String: AudioClip] = [:]
    private var lastUse: [String: UInt64] = [:]
    private var clock: UInt64 = 0

    init(directory: String?, capacity: Int) {
        self.directory = directory
        self.capacity = max(0, capacity)
    }

    /// The cached clip for `key`, from memory or disk.
    mutating func clip(for key: String, sampleRate: Int) -> AudioClip? {
        if let clip = clips[key] {
            touch(key)
            return clip
        }
        guard let directory,
              let clip = try? WAVFile.read(path: path(for: key, in: directory), allowedRates: [sampleRate])
        else { return nil }
        remember(clip, for: key)
        return clip
    }

    /// Stores `clip` under `key` in memory and (best effort) on disk.
    mutating func store(_ clip: AudioClip, for key: String) {
        remember(clip, for: key)
        guard let directory else { return }
        let fm = FileManager.default
        try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let final = path(for: key, in: directory)
        let temporary = final + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        guard (try? WAVFile.write(clip, to: temporary)) != nil else { return }
        if rename(temporary, final) != 0 { try? fm.removeItem(atPath: temporary) }
    }

    /// Keeps `clip` in memory, evicting the least recently used clip beyond capacity.
    mutating func remember(_ clip: AudioClip, for key: String) {
        guard capacity > 0 else { return }
        clips[key] = clip
        touch(key)
        if clips.count > capacity, let oldest = lastUse.min(by: { $0.value < $1.value })?.key {
            clips[oldest] = nil
            lastUse[oldest] = nil
        }
    }

    private mutating func touch(_ key: String) {
        clock += 1
        lastUse[key] = clock
    }

    func path(for key: String, in directory: String) -> String {
        (directory as NSString).appendingPathComponent("\(key).wav")
    }
}
