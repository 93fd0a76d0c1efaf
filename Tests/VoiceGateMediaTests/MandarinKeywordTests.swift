import Foundation
import Testing
import VoiceGateDialog
import VoiceGateDSP
import VoiceGateMedia
import VoiceGateSpeech
import VoiceGateTestSupport

/// The committed Mandarin keyword model (Models/keywords-zh.json): every zh phrase of the
/// menu is served by a unit, matched on characters, and a Mandarin call is spotted by it.
/// Speech: espeak-ng's Mandarin voice reading pinyin, in variants held out of training.
@Suite struct MandarinKeywordTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let model: KeywordModel
    let menu: Menu

    init() throws {
        model = try KeywordModel(contentsOf: Self.root.appendingPathComponent("Models/keywords-zh.json").path)
        let menuFile = Self.root.appendingPathComponent("Config/menu.yaml")
        menu = try MenuLoader.load(yaml: try String(contentsOf: menuFile, encoding: .utf8), file: menuFile.path).get()
    }

    func unitName(_ phrase: String) -> String? { model.unit(for: phrase).map { model.classes[$0] } }

    @Test func menuPhrasesAreMatchedOnCharacters() {
        #expect(model.language == "zh")
        #expect(unitName("账户余额") == "余额")
        #expect(unitName("查余额") == "余额")
        #expect(unitName("转人工") == "人工")
        #expect(unitName("人工服务") == "人工")
        #expect(unitName("银行卡丢了") == "卡丢了")
        #expect(unitName("信用卡账单") == "账单")
        #expect(unitName("不是") == "不是")
        #expect(unitName("不对") == "不对")
        #expect(unitName("是的") == "是")
        #expect(unitName("转帐户") == nil)
        for intent in menu.intents {
            for phrase in intent.phrases[.zh] ?? [] {
                #expect(model.unit(for: phrase) != nil, "\(intent.name): \(phrase)")
            }
        }
    }

    /// The menu's zh vocabulary of the main menu (as the dialog engine lists it).
    func mainMenu() -> [ExpectedIntent] {
        let names = ["balance", "transfer", "card", "bill", "loan", "agent", "complaint", "repeat", "main_menu"]
        return names.compactMap { name in
            menu.intents.first { $0.name == name }.map { ExpectedIntent(name, phrases: $0.phrases[.zh] ?? []) }
        }
    }

    func utterance(_ pinyin: String, voice: String) throws -> Utterance {
        let audio = try #require(TelephoneSpeech.make(pinyin, voice: voice, wordsPerMinute: 140),
                                 "espeak-ng and sox are needed (make setup)")
        return Utterance(speechStart: 0.5, speechEnd: 2.0, audioStart: 0.2, audio: audio,
                         sampleRate: 8000, endReason: .trailingSilence)
    }

    @Test func aMandarinCallUsesTheMandarinModel() throws {
        let english = NeuralKeywordSpotter(model: try KeywordModel(
            contentsOf: Self.root.appendingPathComponent("Models/keywords-en.json").path))
        let recognizer = SpotterRecognizer(spotters: [english, NeuralKeywordSpotter(model: model)])
        // 我想查一下余额 ("I'd like to check my balance").
        let balance = try utterance("wo3 xiang3 cha2 yi2 xia4 yu2 e2", voice: "cmn-latn-pinyin+f2")
        #expect(recognizer.recognize(balance, expected: mainMenu(), language: .zh)?.intent == "balance")
        // 这家餐厅的面条很好吃 ("this restaurant's noodles are good"): no keyword.
        let noodles = try utterance("zhe4 jia1 can1 ting1 de5 mian4 tiao2 hen3 hao3 chi1", voice: "cmn-latn-pinyin+m3")
        let heard = recognizer.recognize(noodles, expected: mainMenu(), language: .zh)
        #expect(heard == nil, "\(String(describing: heard))")
    }
}
