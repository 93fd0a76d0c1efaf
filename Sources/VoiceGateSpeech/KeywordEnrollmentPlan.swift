/// What `voicegate enroll-keywords` synthesises for a language: the espeak-ng voices that speak
/// the templates, other voices for calibration, rates, pitches, carrier sentences, and sentences
/// without the phrase (negatives) for the threshold.
///
/// The English voices leave out the variants m1, m3, f2 and f4, as training does: those are
/// the evaluation corpus's voices, so measured numbers stay on voices enrollment never heard.
public struct KeywordEnrollmentPlan: Sendable {
    /// Voices whose examples become templates.
    public var templateVoices: [String]
    /// Voices (not among `templateVoices`) whose sentences calibrate the threshold.
    public var calibrationVoices: [String]
    /// Speaking rates, words per minute, cycled over the examples.
    public var rates: [Int]
    /// espeak-ng pitches (0-99), cycled over the examples.
    public var pitches: [Int]
    /// Sentences around the phrase ("{}" is the phrase); the first is the phrase alone.
    public var carriers: [String]
    /// Sentences that contain no menu phrase: plain speech and near-misses that share sounds.
    public var negatives: [String]
    /// Sentence a phrase is said in when it is a negative for another phrase.
    public var negativeCarrier: String

    /// The plan for `language` ("en", "zh"); nil when enrollment has no voices for it.
    public static func standard(language: String) -> KeywordEnrollmentPlan? {
        switch language {
        case "en":
            return KeywordEnrollmentPlan(
                templateVoices: ["en-us", "en-us+m2", "en+f1", "en-us+m5", "en-gb-x-gbclan+f3", "en-us+klatt",
                                 "en-gb-x-rp+m7", "en-us+f5", "en-029+m4", "en-us+david"],
                calibrationVoices: ["en-us+m6", "en+f5", "en-us-nyc+m8", "en-gb-scotland+paul"],
                rates: [150, 175, 130, 200, 160],
                pitches: [50, 35, 65, 45, 55],
                carriers: ["{}", "I'm calling about {}", "{} please", "it's about my {}", "um {}",
                           "can you help me with {} today"],
                negatives: [
                    "what time do you open tomorrow", "I was just checking the weather",
                    "my neighbour has a big dog", "hello is anybody there", "the kids are at school",
                    "I'm not sure what I need", "we went to the beach last summer",
                    "could you tell me your address", "thank you very much goodbye", "hold on a second",
                    "I'd like to order a pizza", "the traffic was terrible this morning",
                    "over there by the window", "a first draft of the letter", "she bought a new car",
                    "the statue in the park", "more tea please", "I left it in the garden",
                    "my overcoat is in the hall", "a bottle of water", "the train was late again",
                    "turn left at the corner", "it's raining outside", "I need a new phone charger",
                ],
                negativeCarrier: "I'm calling about {}")
        case "zh":
            let v = "cmn-latn-pinyin"
            return KeywordEnrollmentPlan(
                templateVoices: [v, "\(v)+m2", "\(v)+f1", "\(v)+m5", "\(v)+f3", "\(v)+m7"],
                calibrationVoices: ["\(v)+m6", "\(v)+f5"],
                rates: [150, 175, 130, 200],
                pitches: [50, 35, 65, 45],
                carriers: ["{}", "我想{}", "{}吧", "请帮我{}"],
                negatives: ["今天天气很好", "你好有人吗", "我不知道", "谢谢再见", "请稍等一下",
                            "我们明天见", "孩子们在学校", "火车又晚点了"],
                negativeCarrier: "我想{}")
        default:
            return nil
        }
    }
}
