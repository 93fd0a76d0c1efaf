import Foundation

/// The RFC 4475 torture messages shipped in `Fixtures/torture` and their `expected.tsv` rows.
struct TortureCase: Sendable, CustomStringConvertible {
    /// File name, e.g. `wsinv.dat`.
    let file: String
    /// `yes`, `no` or `either`.
    let parse: String
    /// The UAS reaction the RFC expects (free text).
    let uasReaction: String
    /// Declared size in octets.
    let size: Int

    var name: String { String(file.dropLast(4)) }
    var description: String { name }

    /// The exact bytes of the message.
    var bytes: [UInt8] { TortureFixtures.bytes(file) }
}

enum TortureFixtures {
    static let directory: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("SIPCoreTests resource Fixtures missing")
        }
        return url.appendingPathComponent("torture")
    }()

    static func bytes(_ file: String) -> [UInt8] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(file)) else {
            fatalError("missing fixture \(file)")
        }
        return [UInt8](data)
    }

    static func bytes(named name: String) -> [UInt8] { bytes(name + ".dat") }

    /// Every row of expected.tsv.
    static let cases: [TortureCase] = {
        let text = String(decoding: bytes("expected.tsv"), as: UTF8.self)
        var rows: [TortureCase] = []
        for line in text.split(separator: "\n").dropFirst() where !line.isEmpty {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 10 else { continue }
            rows.append(TortureCase(file: cols[0], parse: cols[5], uasReaction: cols[6], size: Int(cols[8]) ?? -1))
        }
        return rows
    }()
}
