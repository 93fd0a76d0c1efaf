import CALSA

/// Which way audio flows through an ALSA PCM.
public enum AlsaStream: String, Sendable, Equatable {
    /// Microphone in.
    case capture
    /// Speaker out.
    case playback
}

/// A failed alsa-lib call, with the device and what was being done, turned into text in one
/// place (`snd_strerror`) so every ALSA problem reads the same way.
public struct AlsaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done when alsa-lib failed.
    public enum Operation: String, Sendable, Equatable {
        /// `snd_pcm_open`.
        case open
        /// `snd_pcm_set_params` (format, rate, channels, latency).
        case configure
        /// `snd_pcm_start`.
        case start
        /// `snd_pcm_readi` / `snd_pcm_avail_update`.
        case read
        /// `snd_pcm_writei`.
        case write
    }

    /// The ALSA device name, e.g. `default`, `hw:1,0`, `null`.
    public var device: String
    /// Capture or playback.
    public var stream: AlsaStream
    /// What failed.
    public var operation: Operation
    /// The negative errno alsa-lib returned.
    public var code: Int32

    /// An error for `code` (negative, as alsa-lib returns it).
    public init(device: String, stream: AlsaStream, operation: Operation, code: Int32) {
        self.device = device
        self.stream = stream
        self.operation = operation
        self.code = code
    }

    /// alsa-lib's own text for the code.
    public var reason: String { String(cString: snd_strerror(code)) }

    /// E.g. `cannot open ALSA device 'default' for capture: No such file or directory; list
    /// devices with 'arecord -L'` — the hint names the tool that lists this stream's devices.
    public var description: String {
        let verb: String
        switch operation {
        case .open: verb = "open"
        case .configure: verb = "configure (8 kHz mono 16-bit)"
        case .start: verb = "start"
        case .read: verb = "read from"
        case .write: verb = "write to"
        }
        let lister = stream == .capture ? "arecord -L" : "aplay -L"
        return "cannot \(verb) ALSA device '\(device)' for \(stream.rawValue): \(reason); list devices with '\(lister)'"
    }
}
