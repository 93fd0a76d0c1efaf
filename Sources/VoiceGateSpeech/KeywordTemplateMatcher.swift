/// Finds a spoken template anywhere inside an utterance: subsequence dynamic time warping over
/// trunk embeddings (`KeywordEmbedding`) with cosine distance (1 − dot product of unit vectors).
///
/// The path may start and end at any utterance step (the phrase sits inside a sentence). Each
/// template step is matched exactly once, with local slopes between 1/2 and 2 (steps
/// (1,1), (1,2) and (2,1), the last counting its cost twice), so every path weighs exactly
/// `template.steps` costs and the accumulated cost divided by that is the mean distance along
/// the path: comparable across templates of different lengths. Callers faster or slower than
/// the template by up to 2× are followed; degenerate paths (a whole template on one step) are not.
///
/// The three rows of the recurrence are preallocated and grown only when a longer utterance
/// comes, so matching allocates nothing per template.
struct KeywordTemplateMatcher {
    /// Three rows of accumulated cost and of path starts, `[row * capacity + step]`.
    private var rows: [Float] = []
    private var starts: [Int32] = []
    private var capacity = 0

    /// The best match of `template` in `utterance`: mean cosine distance along the path (0 =
    /// identical, 2 = opposite) and the utterance steps it covers; nil when the utterance is too short.
    mutating func match(_ template: KeywordEmbedding, in utterance: KeywordEmbedding) -> (distance: Float, start: Int, end: Int)? {
        let m = template.steps, n = utterance.steps, d = template.channels
        guard m >= 2, n * 2 >= m, d == utterance.channels else { return nil }
        if capacity < n {
            capacity = n
            rows = [Float](repeating: 0, count: 3 * n)
            starts = [Int32](repeating: 0, count: 3 * n)
        }
        let stride = capacity
        var best: (distance: Float, start: Int, end: Int)?
        template.values.withUnsafeBufferPointer { t in
            utterance.values.withUnsafeBufferPointer { u in
                rows.withUnsafeMutableBufferPointer { r in
                    starts.withUnsafeMutableBufferPointer { s in
                        // Rotating rows: `cur` is row i, `p1` row i-1, `p2` row i-2.
                        var (cur, p1, p2) = (r.baseAddress!, r.baseAddress! + stride, r.baseAddress! + 2 * stride)
                        var (sc, sp1, sp2) = (s.baseAddress!, s.baseAddress! + stride, s.baseAddress! + 2 * stride)
                        let infinity = Float.infinity
                        for i in 0..<m {
                            let ti = t.baseAddress! + i * d
                            for j in 0..<n {
                                let uj = u.baseAddress! + j * d
                                var dot: Float = 0
                                for c in 0..<d { dot += ti[c] * uj[c] }
                                let cost = max(0, 1 - dot)
                                if i == 0 {
                                    cur[j] = cost
                                    sc[j] = Int32(j)
                                    continue
                                }
                                var acc = infinity, start: Int32 = 0
                                if j >= 1, p1[j - 1] < acc { acc = p1[j - 1]; start = sp1[j - 1] }
                                if j >= 2, p1[j - 2] < acc { acc = p1[j - 2]; start = sp1[j - 2] }
                                if j >= 1, i >= 2, p2[j - 1] + cost < acc { acc = p2[j - 1] + cost; start = sp2[j - 1] }
                                cur[j] = acc + cost
                                sc[j] = start
                            }
                            (cur, p1, p2) = (p2, cur, p1)
                            (sc, sp1, sp2) = (sp2, sc, sp1)
                        }
                        // The last row computed is now `p1`.
                        var bestTotal = infinity
                        for j in 0..<n where p1[j] < bestTotal {
                            bestTotal = p1[j]
                            best = (p1[j] / Float(m), Int(sp1[j]), j)
                        }
                    }
                }
            }
        }
        return best
    }
}
