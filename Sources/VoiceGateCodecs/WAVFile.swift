public import VoiceGateDSP
import Foundation

/// Sample encodings VoiceGate reads and writes in WAV files.
public enum WAVEncoding: String, Sendable, CaseIterable {
    /// Linear PCM, 16-bit little-endian (WAVE format tag 1).
    case pcm16
    /// G.711 μ-law, 8 bits (WAVE format tag 7).
    case ulaw
    /// G.711 A-law, 8 bits (WAVE format tag 6).
    case alaw

    var formatTag: UInt16 {
        switch self {
        case .pcm16: 1
        case .alaw: 6
        case .ulaw: 7
        }
    }
    var bitsPerSample: UInt16 { self == .pcm16 ? 16 : 8 }
}

/// Why a WAV file was refused: always names the file and what was found in it.
public struct WAVError: Error, CustomStringConvertible, Equatable {
    /// The file (path as given) the problem is in.
    public var file: String
    /// What is wrong, in words a user can act on.
    public var reason: String

    /// An error about `file`.
    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}

/// Reads and writes the WAV files VoiceGate accepts: mono, 8 or 16 kHz, PCM16, μ-law or A-law
/// (DESIGN.md section 5). Anything else is a `WAVError` naming the file and the format found.
public enum WAVFile {
    /// Sample rates accepted on input.
    public static let supportedRates: Set<Int> = [8000, 16000]

    /// Reads `path` and decodes it to linear PCM.
    /// - Parameters:
    ///   - path: the file to read.
    ///   - allowedRates: sample rates to accept (default: 8 and 16 kHz).
    /// - Throws: `WAVError` for unreadable files, non-RIFF data, or an unsupported format.
    public static func read(path: String, allowedRates: Set<Int> = supportedRates) throws -> AudioClip {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WAVError(file: path, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WAVError(file: path, reason: "cannot read file (a directory, or no permission)")
        }
        return try decode([UInt8](data), name: path, allowedRates: allowedRates)
    }

    /// Decodes WAV bytes already in memory; `name` is used in errors.
    public static func decode(_ bytes: [UInt8], name: String, allowedRates: Set<Int> = supportedRates) throws -> AudioClip {
        func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        func tag(_ o: Int) -> String { o + 4 <= bytes.count ? String(decoding: bytes[o..<o + 4], as: UTF8.self) : "" }

        guard !bytes.isEmpty else {
            throw WAVError(file: name, reason: "empty file (0 bytes); expected a RIFF/WAVE file")
        }
        if bytes.count < 12 && tag(0) == "RIFF" {
            throw WAVError(file: name, reason: "truncated header (\(bytes.count) bytes, a WAV header needs at least 44)")
        }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else {
            let found = bytes.count >= 4 ? "'\(String(decoding: bytes[0..<4].map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self))' header" : "\(bytes.count) bytes"
            throw WAVError(file: name, reason: "not a RIFF/WAVE file (found \(found))")
        }
        var offset = 12
        var format: (tag: UInt16, channels: UInt16, rate: UInt32, bits: UInt16)?
        while offset + 8 <= bytes.count {
            let id = tag(offset)
            let size = Int(u32(offset + 4))
            let body = offset + 8
            let available = min(size, bytes.count - body)
            if id == "fmt " {
                guard available >= 16 else {
                    throw WAVError(file: name, reason: "truncated header: fmt chunk has \(available) of at least 16 bytes")
                }
                var formatTag = u16(body)
                if formatTag == 0xFFFE && available >= 26 {  // WAVE_FORMAT_EXTENSIBLE: real tag in the GUID
                    formatTag = u16(body + 24)
                }
                format = (formatTag, u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard let f = format else {
                    throw WAVError(file: name, reason: "data chunk before fmt chunk")
                }
                let found = describe(tag: f.tag, bits: f.bits, channels: f.channels, rate: f.rate)
                let encoding: WAVEncoding
                switch (f.tag, f.bits) {
                case (1, 16): encoding = .pcm16
                case (7, 8): encoding = .ulaw
                case (6, 8): encoding = .alaw
                default: throw unsupported(found, name: name, allowedRates: allowedRates)
                }
                guard f.channels == 1, allowedRates.contains(Int(f.rate)) else {
                    throw unsupported(found, name: name, allowedRates: allowedRates)
                }
                let payload = bytes[body..<body + available]
                var samples: [Int16]
                switch encoding {
                case .pcm16:
                    let n = available / 2
                    samples = [Int16](repeating: 0, count: n)
                    var i = body
                    for k in 0..<n {
                        samples[k] = Int16(bitPattern: u16(i))
                        i += 2
                    }
                case .ulaw:
                    samples = payload.map { G711.ulawDecode($0) }
                case .alaw:
                    samples = payload.map { G711.alawDecode($0) }
                }
                return AudioClip(sampleRate: Int(f.rate), samples: samples)
            }
            offset = body + size + (size & 1)  // chunks are word-aligned
        }
        throw WAVError(file: name, reason: format == nil
            ? "no fmt chunk (truncated or not a WAV file)"
            : "no data chunk (truncated file?)")
    }

    /// Encodes `clip` as WAV bytes in `encoding` (G.711 encodings require 8 kHz input to be useful but do not enforce it).
    public static func encode(_ clip: AudioClip, encoding: WAVEncoding = .pcm16) -> [UInt8] {
        var out: [UInt8] = []
        let bytesPerSample = Int(encoding.bitsPerSample / 8)
        let dataSize = clip.samples.count * bytesPerSample
        let extra = encoding == .pcm16 ? 0 : 2  // non-PCM fmt chunks carry cbSize
        out.reserveCapacity(44 + extra + dataSize + (encoding == .pcm16 ? 0 : 12))
        func put16(_ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
        func put32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
        func putTag(_ t: String) { out.append(contentsOf: Array(t.utf8)) }
        let factSize = encoding == .pcm16 ? 0 : 12
        putTag("RIFF"); put32(UInt32(4 + 8 + 16 + extra + factSize + 8 + dataSize + (dataSize & 1))); putTag("WAVE")
        putTag("fmt "); put32(UInt32(16 + extra))
        put16(encoding.formatTag); put16(1); put32(UInt32(clip.sampleRate))
        put32(UInt32(clip.sampleRate * bytesPerSample)); put16(UInt16(bytesPerSample)); put16(encoding.bitsPerSample)
        if extra > 0 { put16(0) }
        if factSize > 0 { putTag("fact"); put32(4); put32(UInt32(clip.samples.count)) }
        putTag("data"); put32(UInt32(dataSize))
        switch encoding {
        case .pcm16: for s in clip.samples { put16(UInt16(bitPattern: s)) }
        case .ulaw: for s in clip.samples { out.append(G711.ulawEncode(s)) }
        case .alaw: for s in clip.samples { out.append(G711.alawEncode(s)) }
        }
        if dataSize & 1 == 1 { out.append(0) }
        return out
    }

    /// Writes `clip` to `path` in `encoding`.
    /// - Throws: `WAVError` if the file cannot be written.
    public static func write(_ clip: AudioClip, to path: String, encoding: WAVEncoding = .pcm16) throws {
        let bytes = encode(clip, encoding: encoding)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw WAVError(file: path, reason: "cannot write file")
        }
    }

    /// The error for a well-formed WAV file in a format VoiceGate does not read, saying what it found.
    static func unsupported(_ found: String, name: String, allowedRates: Set<Int>) -> WAVError {
        let rates = allowedRates.sorted().map(String.init).joined(separator: " or ")
        return WAVError(file: name, reason: "unsupported format: \(found); VoiceGate reads mono \(rates) Hz 16-bit PCM, μ-law or A-law")
    }

    /// Words for a fmt chunk, e.g. "IEEE float 32-bit, 2 channels, 44100 Hz".
    static func describe(tag: UInt16, bits: UInt16, channels: UInt16, rate: UInt32) -> String {
        let name: String
        switch tag {
        case 1: name = "PCM"
        case 2: name = "Microsoft ADPCM"
        case 3: name = "IEEE float"
        case 6: name = "A-law"
        case 7: name = "μ-law"
        case 0x11: name = "IMA ADPCM"
        case 0x55: name = "MP3"
        default: name = "format tag 0x\(String(tag, radix: 16))"
        }
        let layout = channels == 1 ? "mono" : "\(channels) channels"
        return "\(name) \(bits)-bit, \(layout), \(rate) Hz"
    }
}
