/// Trims silence around a fragment so that concatenated numbers flow ("one thousand two
/// hundred" rather than words separated by each recording's or engine's own pauses).
enum SilenceTrim {
    /// Removes leading and trailing samples quieter than `threshold` beyond `keepMilliseconds`
    /// on each side; a clip that is all silence becomes empty.
    static func trim(_ samples: [Int16], sampleRate: Int, keepMilliseconds: Int, threshold: Int16) -> [Int16] {
        let loud = { (s: Int16) in s > threshold || s < -threshold }
        guard let first = samples.firstIndex(where: loud), let last = samples.lastIndex(where: loud) else { return [] }
        let keep = sampleRate * keepMilliseconds / 1000
        return Array(samples[max(0, first - keep)...min(samples.count - 1, last + keep)])
    }
}
