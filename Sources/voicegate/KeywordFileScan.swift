import VoiceGateDSP
import VoiceGateSpeech

/// One audio file processed as a call would be (energy VAD and endpointer, then the spotter on
/// each utterance), keeping each utterance's likeliest keyword: what `voicegate spot` reports
/// and what `voicegate tune-keywords` tunes on, so both decide the same way.
struct KeywordFileScan {
    /// An utterance's likeliest live keyword, with its time in the file.
    struct Top {
        var intent: String
        var phrase: String
        var posterior: Double
        var start: Double
        var end: Double
        /// An enrolled phrase's own decision (its calibrated threshold); nil for a unit
        /// keyword, which the caller's threshold decides.
        var enrolledAccepted: Bool? = nil
    }

    /// Where an endpointed utterance's audio lies in the file (pre-roll and post-roll included).
    struct Span {
        var start: Double
        var end: Double
    }

    /// Utterances the endpointer found.
    var utterances: Int { spans.count }
    /// Each utterance's audio extent, in order: what the spotter saw (for diagnosing segmentation).
    var spans: [Span]
    /// The likeliest keyword of each utterance that had one.
    var tops: [Top]

    /// Scans `clip` with every keyword of `vocabulary` live; phrases enrolled in `enrolled`
    /// (`voicegate enroll-keywords`) compete with the units, each utterance adding its best match.
    init(_ clip: AudioClip, spotter: NeuralKeywordSpotter, enrolled: EnrolledKeywordSpotter? = nil,
         vocabulary: KeywordVocabulary) {
        var endpointer = Endpointer(sampleRate: clip.sampleRate)
        var found: [Utterance] = []
        for event in endpointer.process(samples: clip.samples) + endpointer.finish() {
            if case .speechEnded(let u) = event { found.append(u) }
        }
        spans = found.map { Span(start: $0.audioStart, end: $0.audioStart + Double($0.audio.count) / Double($0.sampleRate)) }
        tops = found.flatMap { u -> [Top] in
            var tops: [Top] = []
            if let top = spotter.score(u.audio, sampleRate: u.sampleRate, vocabulary: vocabulary)?.candidates.first {
                tops.append(Top(intent: top.intent, phrase: top.phrase, posterior: top.posterior,
                                start: u.audioStart + top.start, end: u.audioStart + top.end))
            }
            if let m = enrolled?.bestEnrolledMatch(u.audio, sampleRate: u.sampleRate, vocabulary: vocabulary) {
                tops.append(Top(intent: m.intent, phrase: m.phrase, posterior: m.confidence,
                                start: u.audioStart + m.start, end: u.audioStart + m.end, enrolledAccepted: m.accepted))
            }
            return tops
        }
    }

    /// The likeliest keyword of the file, even below its threshold.
    var best: Top? { tops.max { $0.posterior < $1.posterior } }

    /// The file's keyword: the most confident utterance whose keyword reaches the threshold
    /// `needed` gives for its (intent, phrase), as a call takes each utterance on its own.
    func accepted(_ needed: (_ intent: String, _ phrase: String) -> Double) -> Top? {
        tops.filter { $0.enrolledAccepted ?? ($0.posterior >= needed($0.intent, $0.phrase)) }.max { $0.posterior < $1.posterior }
    }
}
