/// ITU-T G.711 companding: μ-law (North America, Japan) and A-law (Europe, China).
///
/// Encoding follows the reference segment search of G.711 exactly (μ-law with a bias of 0x84 on
/// the 14-bit magnitude, A-law on the 13-bit magnitude with even-bit inversion), so every 16-bit
/// input maps to the same code byte as the ITU reference and as Python's `audioop`.
/// Decoding goes through 256-entry tables built once.
public enum G711 {
    // MARK: μ-law

    /// Encodes one linear 16-bit sample to a μ-law code byte.
    @inlinable
    public static func ulawEncode(_ sample: Int16) -> UInt8 {
        // 14-bit input per G.711: drop the two low bits of the 16-bit sample.
        var value = Int32(sample) >> 2
        let mask: UInt8
        if value < 0 {
            value = -value
            mask = 0x7F
        } else {
            mask = 0xFF
        }
        if value > 8159 { value = 8159 }  // clip to the μ-law range
        value += 0x84 >> 2  // bias (33 in 14-bit units)
        // Segment = position of the highest set bit above bit 5.
        let segment = segmentIndex(value >> 6, limit: 8)
        if segment >= 8 { return 0x7F ^ mask }
        let code = UInt8(truncatingIfNeeded: (segment << 4) | ((value >> (segment + 1)) & 0x0F))
        return code ^ mask
    }

    /// Decodes one μ-law code byte to a linear 16-bit sample.
    @inlinable
    public static func ulawDecode(_ code: UInt8) -> Int16 { ulawTable[Int(code)] }

    // MARK: A-law

    /// Encodes one linear 16-bit sample to an A-law code byte.
    @inlinable
    public static func alawEncode(_ sample: Int16) -> UInt8 {
        // 13-bit input per G.711: drop the three low bits.
        var value = Int32(sample) >> 3
        let mask: UInt8
        if value >= 0 {
            mask = 0xD5  // sign bit set, even bits inverted
        } else {
            mask = 0x55
            value = -value - 1
        }
        let segment = segmentIndex(value >> 5, limit: 8)
        if segment >= 8 { return 0x7F ^ mask }
        var code = Int32(segment << 4)
        if segment < 2 {
            code |= (value >> 1) & 0x0F
        } else {
            code |= (value >> segment) & 0x0F
        }
        return UInt8(truncatingIfNeeded: code) ^ mask
    }

    /// Decodes one A-law code byte to a linear 16-bit sample.
    @inlinable
    public static func alawDecode(_ code: UInt8) -> Int16 { alawTable[Int(code)] }

    // MARK: Buffers

    /// Decodes μ-law bytes into `output` (same count); the caller owns both buffers.
    @inlinable
    public static func ulawDecode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= input.count, "output buffer too small")
        ulawTable.withUnsafeBufferPointer { table in
            for i in 0..<input.count { output[i] = table[Int(input[i])] }
        }
    }

    /// Decodes A-law bytes into `output` (same count); the caller owns both buffers.
    @inlinable
    public static func alawDecode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(output.count >= input.count, "output buffer too small")
        alawTable.withUnsafeBufferPointer { table in
            for i in 0..<input.count { output[i] = table[Int(input[i])] }
        }
    }

    /// Encodes linear samples to μ-law bytes into `output` (same count).
    @inlinable
    public static func ulawEncode(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= input.count, "output buffer too small")
        for i in 0..<input.count { output[i] = ulawEncode(input[i]) }
    }

    /// Encodes linear samples to A-law bytes into `output` (same count).
    @inlinable
    public static func alawEncode(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= input.count, "output buffer too small")
        for i in 0..<input.count { output[i] = alawEncode(input[i]) }
    }

    // MARK: Tables and helpers

    /// Index of the G.711 segment: the number of significant bits of `v` (0 when `v` is 0), capped at `limit`.
    @usableFromInline
    static func segmentIndex(_ v: Int32, limit: Int32) -> Int32 {
        var seg: Int32 = 0
        var x = v
        while x > 0 && seg < limit {
            seg += 1
            x >>= 1
        }
        return seg
    }

    /// μ-law decode table (G.711 Table 2a reconstruction levels, scaled to 16 bits).
    public static let ulawTable: [Int16] = (0..<256).map { code in
        let u = ~UInt8(code)
        var t = (Int32(u & 0x0F) << 3) + 0x84
        t <<= Int32((u & 0x70) >> 4)
        return Int16((u & 0x80) != 0 ? 0x84 - t : t - 0x84)
    }

    /// A-law decode table (G.711 Table 1a reconstruction levels, scaled to 16 bits).
    public static let alawTable: [Int16] = (0..<256).map { code in
        let a = UInt8(code) ^ 0x55
        var t = Int32(a & 0x0F) << 4
        let seg = Int32((a & 0x70) >> 4)
        switch seg {
        case 0: t += 8
        case 1: t += 0x108
        default: t += 0x108; t <<= seg - 1
        }
        return Int16((a & 0x80) != 0 ? t : -t)
    }
}
