/// The few elementary functions tone generation and Goertzel set-up need.
///
/// VoiceGateDSP imports only the standard library, which has no `sin`, `cos` or `exp`. These are
/// used at set-up time (filter coefficients, oscillator phasors, dB → gain), never per sample in a
/// detector, so plain range reduction plus Taylor polynomials in `Double` are accurate (≈1e-15)
/// and fast enough.
enum ToneMath {
    /// 2π.
    static let twoPi = 2 * Double.pi

    /// Sine of `x` radians.
    static func sin(_ x: Double) -> Double {
        let (r, quadrant) = reduce(x)
        switch quadrant {
        case 0: return sinPoly(r)
        case 1: return cosPoly(r)
        case 2: return -sinPoly(r)
        default: return -cosPoly(r)
        }
    }

    /// Cosine of `x` radians.
    static func cos(_ x: Double) -> Double {
        let (r, quadrant) = reduce(x)
        switch quadrant {
        case 0: return cosPoly(r)
        case 1: return -sinPoly(r)
        case 2: return -cosPoly(r)
        default: return sinPoly(r)
        }
    }

    /// e to the power `x`.
    static func exp(_ x: Double) -> Double {
        if x > 700 { return .infinity }
        if x < -700 { return 0 }
        let ln2 = 0.693147180559945309417232121458
        let k = (x / ln2).rounded()
        let r = x - k * ln2  // |r| ≤ ln2/2
        var term = 1.0
        var sum = 1.0
        for n in 1...18 {
            term *= r / Double(n)
            sum += term
        }
        return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
    }

    /// Linear amplitude gain for `decibels` (20·log10 convention).
    static func gain(decibels: Double) -> Double {
        exp(decibels * 0.11512925464970228420089957273422)  // ln(10)/20
    }

    /// Peak amplitude (16-bit units) of a sine at `dBm0`; a full-scale sine is +3.14 dBm0 (G.711).
    static func sineAmplitude(dBm0: Double) -> Double {
        32768 * gain(decibels: dBm0 - 3.14)
    }

    /// `x = k·π/2 + r` with |r| ≤ π/4; returns r and k mod 4.
    private static func reduce(_ x: Double) -> (Double, Int) {
        let halfPi = Double.pi / 2
        let k = (x / halfPi).rounded()
        // Two-part π/2 keeps the reduction exact enough for the arguments we use (|x| < 1e6).
        let r = (x - k * 1.5707963267948966) - k * 6.123233995736766e-17
        let q = Int(k.truncatingRemainder(dividingBy: 4))
        return (r, (q + 4) % 4)
    }

    private static func sinPoly(_ r: Double) -> Double {
        let r2 = r * r
        var term = r
        var sum = r
        for n in stride(from: 2, through: 18, by: 2) {
            term *= -r2 / Double(n * (n + 1))
            sum += term
        }
        return sum
    }

    private static func cosPoly(_ r: Double) -> Double {
        let r2 = r * r
        var term = 1.0
        var sum = 1.0
        for n in stride(from: 1, through: 17, by: 2) {
            term *= -r2 / Double(n * (n + 1))
            sum += term
        }
        return sum
    }
}
