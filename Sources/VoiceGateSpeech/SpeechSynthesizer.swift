public import VoiceGateDSP

/// A voice of a text-to-speech engine and how fast it speaks.
public struct SpeechVoice: Sendable, Hashable, Codable {
    /// The engine's voice name (espeak-ng: `en-us`, `cmn`).
    public var name: String
    /// Speaking rate in words per minute.
    public var wordsPerMinute: Int

    /// A voice `name` speaking at `wordsPerMinute`.
    public init(name: String, wordsPerMinute: Int) {
        self.name = name
        self.wordsPerMinute = wordsPerMinute
    }

    /// The same voice slowed by `factor` (0.8 for assisted callers), because slower speech
    /// is easier to follow for elderly callers and callers with a hearing or cognitive disability.
    public func slowed(by factor: Double = 0.8) -> SpeechVoice {
        SpeechVoice(name: name, wordsPerMinute: max(1, Int((Double(wordsPerMinute) * factor).rounded())))
    }
}

/// Why speech could not be synthesised.
public struct SpeechError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, in words a user can act on.
    public var reason: String

    /// An error saying `reason`.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// Turns text into audio. The prompt renderer depends on this protocol only, so rendering and
/// caching are testable with a fake engine and the real engine (espeak-ng) can be swapped.
public protocol SpeechSynthesizer: Sendable {
    /// Names the engine, its data and its post-processing; part of every render-cache key so that
    /// an engine upgrade never serves stale audio.
    var engineIdentifier: String { get }

    /// Synthesises `text` in `voice` as mono 16-bit PCM at `sampleRate` (8000 or 16000 on calls).
    /// - Throws: `SpeechError` if the engine or voice is unavailable.
    func synthesize(_ text: String, voice: SpeechVoice, sampleRate: Int) async throws -> AudioClip
}
