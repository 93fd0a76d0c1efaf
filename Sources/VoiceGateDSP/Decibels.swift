/// Power-to-decibel conversion and SIMD frame energy without Foundation (VoiceGateDSP imports
/// only the standard library, which has no `log10`).
public enum Decibels {
    /// Smallest power reported, so digital silence maps to −100 dBFS instead of −∞.
    public static let floorPower: Float = 1e-10

    /// `10·log10(power)` for `power > 0` (clamped at `floorPower`), accurate to about 0.001 dB.
    ///
    /// Splits `power` into exponent and significand `m ∈ [1, 2)` and evaluates `ln m` with the
    /// `2·atanh((m−1)/(m+1))` series, whose argument stays ≤ 1/3 so four terms suffice.
    @inlinable
    public static func fromPower(_ power: Float) -> Float {
        let x = power > floorPower ? power : floorPower
        let exponent = Float(x.exponent)
        let m = x.significand
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        let lnM = 2 * t * (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9)))))
        // 10·log10(x) = 10/ln(10) · (e·ln2 + ln m)
        return 4.342_944_8 * (exponent * 0.693_147_2 + lnM)
    }

    /// Mean square of `samples` relative to full scale (a full-scale square wave is 1.0, 0 dBFS).
    ///
    /// Eight samples at a time in `SIMD8<Float>` (exact for Int16 squares, whose sums stay far
    /// below Float's 24-bit mantissa limits for a 10 ms frame); the remainder is summed scalar.
    @inlinable
    public static func meanSquare(_ samples: UnsafeBufferPointer<Int16>) -> Float {
        let n = samples.count
        guard n > 0, let base = samples.baseAddress else { return 0 }
        var acc = SIMD8<Float>(repeating: 0)
        let raw = UnsafeRawPointer(base)
        let blocks = n / 8
        var i = 0
        while i < blocks {
            let v = raw.loadUnaligned(fromByteOffset: i * 16, as: SIMD8<Int16>.self)
            let f = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: v))
            acc += f * f  // not addProduct: without an FMA target it becomes a libm fmaf call per lane
            i += 1
        }
        var sum = acc.sum()
        var k = blocks * 8
        while k < n {
            let s = Float(base[k])
            sum += s * s
            k += 1
        }
        return sum / (Float(n) * 1_073_741_824)  // 32768²
    }
}
