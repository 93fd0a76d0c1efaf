import CALSA
import Glibc

/// One ALSA PCM stream (capture or playback) set to 16-bit mono at the call rate, used
/// non-blocking so the console's event loop never parks a thread of the concurrency pool:
/// the loop asks how many frames are ready and moves whole 20 ms frames only.
///
/// Ownership: the instance owns its `snd_pcm_t*` from a successful `snd_pcm_open` until
/// `deinit`, which closes it; the handle never leaves this class. Not `Sendable`: one loop
/// owns it for the call's lifetime.
public final class AlsaPCM {
    /// The ALSA device name it was opened with.
    public let device: String
    /// Capture or playback.
    public let stream: AlsaStream
    /// Samples per second.
    public let sampleRate: Int
    /// Whether the device runs on its own clock. ALSA's `null` PCM has none (capture gives
    /// silence as fast as it is read, playback swallows at once), so a driver must pace it
    /// from the wall clock instead.
    public let pacesItself: Bool
    /// Overruns (capture) or underruns (playback) recovered from so far.
    public private(set) var xrunCount = 0
    /// Silence written ahead on playback after start and after each underrun, in frames, so
    /// small scheduling delays in the loop do not starve the speaker.
    public let cushionFrames: Int

    /// The owned alsa-lib handle (`snd_pcm_t*`).
    private let handle: OpaquePointer
    /// Silence for the playback cushion, allocated once.
    private let silence: [Int16]

    /// Opens and configures `device` for `stream` (S16_LE, mono, interleaved, `sampleRate`),
    /// non-blocking. Capture is started at once; playback gets its cushion of silence.
    /// - Parameters:
    ///   - latencyMicroseconds: the ALSA buffer length alsa-lib aims for.
    ///   - cushionFrames: playback only; silence kept ahead of the speaker.
    /// - Throws: `AlsaError` naming the device, the stream and alsa-lib's reason.
    public init(device: String, stream: AlsaStream, sampleRate: Int = 8000,
                latencyMicroseconds: Int = 80_000, cushionFrames: Int = 320) throws(AlsaError) {
        _ = vg_alsa_silence_library_errors()  // our AlsaError says it once, clearly
        var pcm: OpaquePointer?
        let direction = stream == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        let opened = snd_pcm_open(&pcm, device, direction, Int32(SND_PCM_NONBLOCK))
        guard opened >= 0, let pcm else {
            throw AlsaError(device: device, stream: stream, operation: .open, code: opened < 0 ? opened : -ENODEV)
        }
        let configured = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
                                            1, UInt32(sampleRate), 1, UInt32(latencyMicroseconds))
        guard configured >= 0 else {
            snd_pcm_close(pcm)
            throw AlsaError(device: device, stream: stream, operation: .configure, code: configured)
        }
        self.handle = pcm
        self.device = device
        self.stream = stream
        self.sampleRate = sampleRate
        self.pacesItself = snd_pcm_type(pcm) != SND_PCM_TYPE_NULL
        self.cushionFrames = stream == .playback ? max(0, cushionFrames) : 0
        self.silence = [Int16](repeating: 0, count: self.cushionFrames)
        if stream == .capture {
            let started = snd_pcm_start(pcm)
            guard started >= 0 else { throw AlsaError(device: device, stream: stream, operation: .start, code: started) }
        } else {
            try writeCushion()
        }
    }

    deinit {
        snd_pcm_close(handle)
    }

    /// Frames ready to read (capture) or room to write (playback), after recovering from an
    /// xrun if one happened.
    public func availableFrames() throws(AlsaError) -> Int {
        let available = snd_pcm_avail_update(handle)
        if available >= 0 { return Int(available) }
        try recover(Int32(available), operation: stream == .capture ? .read : .write)
        let again = snd_pcm_avail_update(handle)
        return again >= 0 ? Int(again) : 0
    }

    /// Reads up to `buffer.count` frames without waiting; returns how many were read (0 when
    /// none are ready or an overrun was just recovered from).
    public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(AlsaError) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let got = snd_pcm_readi(handle, base, snd_pcm_uframes_t(buffer.count))
        if got >= 0 { return Int(got) }
        if got == -Int(EAGAIN) { return 0 }
        try recover(Int32(got), operation: .read)
        return 0
    }

    /// Writes `samples` without waiting; returns how many frames the device took (fewer when
    /// its buffer is full). After an underrun the cushion is laid again and the write retried.
    @discardableResult
    public func write(_ samples: UnsafeBufferPointer<Int16>) throws(AlsaError) -> Int {
        guard let base = samples.baseAddress, !samples.isEmpty else { return 0 }
        var wrote = snd_pcm_writei(handle, base, snd_pcm_uframes_t(samples.count))
        if wrote == -Int(EAGAIN) { return 0 }
        if wrote < 0 {
            try recover(Int32(wrote), operation: .write)
            wrote = snd_pcm_writei(handle, base, snd_pcm_uframes_t(samples.count))
            if wrote < 0 { return 0 }
        }
        return Int(wrote)
    }

    /// Playback: lets what is queued play out (blocking, at most the buffer length), then
    /// stops. Capture: stops at once.
    public func finish() {
        if stream == .playback {
            snd_pcm_nonblock(handle, 0)
            snd_pcm_drain(handle)
        } else {
            snd_pcm_drop(handle)
        }
    }

    /// Stops at once, discarding queued audio (e.g. the caller pressed Ctrl-C).
    public func abandon() {
        snd_pcm_drop(handle)
    }

    // MARK: Internals

    /// `snd_pcm_recover` for overruns, underruns and suspends; capture is restarted and
    /// playback gets its cushion again. Anything else is thrown.
    private func recover(_ code: Int32, operation: AlsaError.Operation) throws(AlsaError) {
        guard code == -EPIPE || code == -ESTRPIPE || code == -EINTR else {
            throw AlsaError(device: device, stream: stream, operation: operation, code: code)
        }
        let recovered = snd_pcm_recover(handle, code, 1)
        guard recovered >= 0 else {
            throw AlsaError(device: device, stream: stream, operation: operation, code: recovered)
        }
        if code != -EINTR { xrunCount += 1 }
        if stream == .capture {
            let started = snd_pcm_start(handle)
            if started < 0 && started != -EBADFD {
                throw AlsaError(device: device, stream: stream, operation: .start, code: started)
            }
        } else {
            try writeCushion()
        }
    }

    /// Queues `cushionFrames` of silence on playback.
    private func writeCushion() throws(AlsaError) {
        guard cushionFrames > 0 else { return }
        let wrote = silence.withUnsafeBufferPointer { snd_pcm_writei(handle, $0.baseAddress, snd_pcm_uframes_t($0.count)) }
        if wrote < 0 && wrote != -Int(EAGAIN) {
            throw AlsaError(device: device, stream: stream, operation: .write, code: Int32(wrote))
        }
    }
}
