extension ToneMath {
    /// Natural logarithm of `x > 0` (standard library only), accurate to about 1e-15.
    ///
    /// `x = m·2^e` with `m ∈ [1, 2)`; `ln m = 2·atanh(t)`, `t = (m−1)/(m+1) ≤ 1/3`, summed until
    /// the terms vanish. Used by the log-mel features once per band and frame.
    static func log(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        let m = x.significand
        let t = (m - 1) / (m + 1), t2 = t * t
        var term = t, sum = 0.0, k = 1.0
        while k < 60 {
            sum += term / k
            term *= t2
            k += 2
        }
        return 2 * sum + Double(x.exponent) * 0.693147180559945309417232121458
    }
}
