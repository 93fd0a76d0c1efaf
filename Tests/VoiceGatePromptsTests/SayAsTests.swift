import Foundation
import Testing
import VoiceGateDialog
import VoiceGatePrompts

/// The repository's own fragment texts (Prompts/<lang>/fragments.yaml), so every vector also
/// proves that each fragment id it produces has a text.
let repositoryFragments: PromptCatalog = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Prompts").path
    return (try? PromptCatalog.load(root: root)) ?? PromptCatalog(texts: [:])
}()

struct Vector: CustomTestStringConvertible, Sendable {
    var segment: PromptSegment
    var ids: [String]
    var text: String
    var testDescription: String { "\(segment) → \(text)" }
}

func v(_ segment: PromptSegment, _ ids: String, _ text: String) -> Vector {
    Vector(segment: segment, ids: ids.split(separator: " ").map(String.init), text: text)
}

let englishVectors: [Vector] = [
    v(.number(0), "num_0", "zero"),
    v(.number(7), "num_7", "seven"),
    v(.number(11), "num_11", "eleven"),
    v(.number(15), "num_15", "fifteen"),
    v(.number(19), "num_19", "nineteen"),
    v(.number(20), "num_20", "twenty"),
    v(.number(21), "num_21", "twenty-one"),
    v(.number(99), "num_99", "ninety-nine"),
    v(.number(100), "num_1 num_hundred", "one hundred"),
    v(.number(101), "num_1 num_hundred num_1", "one hundred one"),
    v(.number(110), "num_1 num_hundred num_10", "one hundred ten"),
    v(.number(1000), "num_1 num_thousand", "one thousand"),
    v(.number(1005), "num_1 num_thousand num_5", "one thousand five"),
    v(.number(1010), "num_1 num_thousand num_10", "one thousand ten"),
    v(.number(1234), "num_1 num_thousand num_2 num_hundred num_34", "one thousand two hundred thirty-four"),
    v(.number(10_000), "num_10 num_thousand", "ten thousand"),
    v(.number(10_010), "num_10 num_thousand num_10", "ten thousand ten"),
    v(.number(45_678), "num_45 num_thousand num_6 num_hundred num_78", "forty-five thousand six hundred seventy-eight"),
    v(.number(100_000), "num_1 num_hundred num_thousand", "one hundred thousand"),
    v(.number(100_001), "num_1 num_hundred num_thousand num_1", "one hundred thousand one"),
    v(.number(1_000_000), "num_1 num_million", "one million"),
    v(.number(2_000_500), "num_2 num_million num_5 num_hundred", "two million five hundred"),
    v(.number(123_456_789), "num_1 num_hundred num_23 num_million num_4 num_hundred num_56 num_thousand num_7 num_hundred num_89",
      "one hundred twenty-three million four hundred fifty-six thousand seven hundred eighty-nine"),
    v(.number(200_000_000), "num_2 num_hundred num_million", "two hundred million"),
    v(.number(1_000_000_000), "num_1 num_billion", "one billion"),
    v(.number(999_999_999_999), "num_9 num_hundred num_99 num_billion num_9 num_hundred num_99 num_million num_9 num_hundred num_99 num_thousand num_9 num_hundred num_99",
      "nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine"),
    v(.number(1_000_000_000_000), "num_1 num_trillion", "one trillion"),
    v(.number(-42), "minus num_42", "minus forty-two"),
    v(.number(Int64.min), "minus num_9 num_quintillion num_2 num_hundred num_23 num_quadrillion num_3 num_hundred num_72 num_trillion num_36 num_billion num_8 num_hundred num_54 num_million num_7 num_hundred num_75 num_thousand num_8 num_hundred num_8",
      "minus nine quintillion two hundred twenty-three quadrillion three hundred seventy-two trillion thirty-six billion eight hundred fifty-four million seven hundred seventy-five thousand eight hundred eight"),
    v(.currency(minorUnits: 123_456, code: "USD"), "num_1 num_thousand num_2 num_hundred num_34 cur_dollars cur_and num_56 cur_cents",
      "one thousand two hundred thirty-four dollars and fifty-six cents"),
    v(.currency(minorUnits: 0, code: "USD"), "num_0 cur_dollars", "zero dollars"),
    v(.currency(minorUnits: 1, code: "USD"), "num_1 cur_cent", "one cent"),
    v(.currency(minorUnits: 56, code: "USD"), "num_56 cur_cents", "fifty-six cents"),
    v(.currency(minorUnits: 100, code: "USD"), "num_1 cur_dollar", "one dollar"),
    v(.currency(minorUnits: 101, code: "USD"), "num_1 cur_dollar cur_and num_1 cur_cent", "one dollar and one cent"),
    v(.currency(minorUnits: 2500, code: "usd"), "num_25 cur_dollars", "twenty-five dollars"),
    v(.currency(minorUnits: -2550, code: "USD"), "minus num_25 cur_dollars cur_and num_50 cur_cents", "minus twenty-five dollars and fifty cents"),
    v(.currency(minorUnits: 99_999_999_999_999, code: "USD"),
      "num_9 num_hundred num_99 num_billion num_9 num_hundred num_99 num_million num_9 num_hundred num_99 num_thousand num_9 num_hundred num_99 cur_dollars cur_and num_99 cur_cents",
      "nine hundred ninety-nine billion nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine dollars and ninety-nine cents"),
    v(.currency(minorUnits: 1001, code: "GBP"), "num_10 cur_pounds cur_and num_1 cur_penny", "ten pounds and one penny"),
    v(.currency(minorUnits: 100, code: "EUR"), "num_1 cur_euro", "one euro"),
    v(.date(year: 2026, month: 3, day: 3), "month_3 ord_3 num_20 num_26", "March third twenty twenty-six"),
    v(.date(year: 2000, month: 1, day: 1), "month_1 ord_1 num_2 num_thousand", "January first two thousand"),
    v(.date(year: 2005, month: 12, day: 31), "month_12 ord_31 num_2 num_thousand num_5", "December thirty-first two thousand five"),
    v(.date(year: 1905, month: 7, day: 22), "month_7 ord_22 num_19 num_oh num_5", "July twenty-second nineteen oh five"),
    v(.date(year: 1900, month: 2, day: 11), "month_2 ord_11 num_19 num_hundred", "February eleventh nineteen hundred"),
    v(.date(year: 2024, month: 2, day: 29), "month_2 ord_29 num_20 num_24", "February twenty-ninth twenty twenty-four"),
    v(.time(hour: 9, minute: 30), "num_9 num_30 time_am", "nine thirty a.m."),
    v(.time(hour: 9, minute: 5), "num_9 num_oh num_5 time_am", "nine oh five a.m."),
    v(.time(hour: 14, minute: 0), "num_2 time_pm", "two p.m."),
    v(.time(hour: 0, minute: 15), "num_12 num_15 time_am", "twelve fifteen a.m."),
    v(.time(hour: 12, minute: 0), "num_12 time_pm", "twelve p.m."),
    v(.time(hour: 23, minute: 59), "num_11 num_59 time_pm", "eleven fifty-nine p.m."),
    v(.digits("0042"), "digit_0 digit_0 digit_4 digit_2", "zero zero four two"),
    v(.digits("12-34 #*"), "digit_1 digit_2 digit_3 digit_4 digit_pound digit_star", "one two three four pound star"),
]

let mandarinVectors: [Vector] = [
    v(.number(0), "num_0", "零"),
    v(.number(2), "num_2", "二"),
    v(.number(10), "num_ten", "十"),
    v(.number(11), "num_ten num_1", "十一"),
    v(.number(19), "num_ten num_9", "十九"),
    v(.number(20), "num_2 num_ten", "二十"),
    v(.number(21), "num_2 num_ten num_1", "二十一"),
    v(.number(99), "num_9 num_ten num_9", "九十九"),
    v(.number(100), "num_1 num_hundred", "一百"),
    v(.number(101), "num_1 num_hundred num_0 num_1", "一百零一"),
    v(.number(110), "num_1 num_hundred num_1 num_ten", "一百一十"),
    v(.number(115), "num_1 num_hundred num_1 num_ten num_5", "一百一十五"),
    v(.number(1000), "num_1 num_thousand", "一千"),
    v(.number(1005), "num_1 num_thousand num_0 num_5", "一千零五"),
    v(.number(1010), "num_1 num_thousand num_0 num_1 num_ten", "一千零一十"),
    v(.number(1234), "num_1 num_thousand num_2 num_hundred num_3 num_ten num_4", "一千二百三十四"),
    v(.number(2000), "num_2 num_thousand", "二千"),
    v(.number(10_000), "num_1 num_ten_thousand", "一万"),
    v(.number(10_010), "num_1 num_ten_thousand num_0 num_1 num_ten", "一万零一十"),
    v(.number(10_100), "num_1 num_ten_thousand num_0 num_1 num_hundred", "一万零一百"),
    v(.number(11_000), "num_1 num_ten_thousand num_1 num_thousand", "一万一千"),
    v(.number(100_000), "num_ten num_ten_thousand", "十万"),
    v(.number(100_001), "num_ten num_ten_thousand num_0 num_1", "十万零一"),
    v(.number(150_000), "num_ten num_5 num_ten_thousand", "十五万"),
    v(.number(1_000_000), "num_1 num_hundred num_ten_thousand", "一百万"),
    v(.number(1_100_000), "num_1 num_hundred num_1 num_ten num_ten_thousand", "一百一十万"),
    v(.number(10_001_000), "num_1 num_thousand num_ten_thousand num_1 num_thousand", "一千万一千"),
    v(.number(123_456_789), "num_1 num_hundred_million num_2 num_thousand num_3 num_hundred num_4 num_ten num_5 num_ten_thousand num_6 num_thousand num_7 num_hundred num_8 num_ten num_9",
      "一亿二千三百四十五万六千七百八十九"),
    v(.number(200_000_000), "num_2 num_hundred_million", "二亿"),
    v(.number(100_001_000), "num_1 num_hundred_million num_0 num_1 num_thousand", "一亿零一千"),
    v(.number(110_000_000), "num_1 num_hundred_million num_1 num_thousand num_ten_thousand", "一亿一千万"),
    v(.number(1_000_010_000), "num_ten num_hundred_million num_0 num_1 num_ten_thousand", "十亿零一万"),
    v(.number(999_999_999_999), "num_9 num_thousand num_9 num_hundred num_9 num_ten num_9 num_hundred_million num_9 num_thousand num_9 num_hundred num_9 num_ten num_9 num_ten_thousand num_9 num_thousand num_9 num_hundred num_9 num_ten num_9",
      "九千九百九十九亿九千九百九十九万九千九百九十九"),
    v(.number(1_000_000_000_000), "num_1 num_ten_thousand num_hundred_million", "一万亿"),
    v(.number(-105), "minus num_1 num_hundred num_0 num_5", "负一百零五"),
    v(.currency(minorUnits: 123_456, code: "CNY"), "num_1 num_thousand num_2 num_hundred num_3 num_ten num_4 cur_yuan num_5 cur_jiao num_6 cur_fen",
      "一千二百三十四元五角六分"),
    v(.currency(minorUnits: 506, code: "CNY"), "num_5 cur_yuan num_0 num_6 cur_fen", "五元零六分"),
    v(.currency(minorUnits: 560, code: "CNY"), "num_5 cur_yuan num_6 cur_jiao", "五元六角"),
    v(.currency(minorUnits: 500, code: "CNY"), "num_5 cur_yuan cur_zheng", "五元整"),
    v(.currency(minorUnits: 0, code: "CNY"), "num_0 cur_yuan", "零元"),
    v(.currency(minorUnits: 1, code: "CNY"), "num_1 cur_fen", "一分"),
    v(.currency(minorUnits: 56, code: "RMB"), "num_5 cur_jiao num_6 cur_fen", "五角六分"),
    v(.currency(minorUnits: 1000, code: "CNY"), "num_ten cur_yuan cur_zheng", "十元整"),
    v(.currency(minorUnits: 1_000_005, code: "CNY"), "num_1 num_ten_thousand cur_yuan num_0 num_5 cur_fen", "一万元零五分"),
    v(.currency(minorUnits: -2550, code: "CNY"), "minus num_2 num_ten num_5 cur_yuan num_5 cur_jiao", "负二十五元五角"),
    v(.currency(minorUnits: 1250, code: "USD"), "num_ten num_2 num_point num_5 cur_usd", "十二点五美元"),
    v(.currency(minorUnits: 506, code: "USD"), "num_5 num_point num_0 num_6 cur_usd", "五点零六美元"),
    v(.currency(minorUnits: 500, code: "EUR"), "num_5 cur_eur", "五欧元"),
    v(.date(year: 2026, month: 3, day: 3), "num_2 num_0 num_2 num_6 date_year num_3 date_month num_3 date_day", "二零二六年三月三日"),
    v(.date(year: 2030, month: 12, day: 31), "num_2 num_0 num_3 num_0 date_year num_ten num_2 date_month num_3 num_ten num_1 date_day", "二零三零年十二月三十一日"),
    v(.time(hour: 9, minute: 30), "num_9 time_hour num_3 num_ten time_minute", "九点三十分"),
    v(.time(hour: 9, minute: 5), "num_9 time_hour num_0 num_5 time_minute", "九点零五分"),
    v(.time(hour: 2, minute: 0), "num_liang time_hour", "两点"),
    v(.time(hour: 0, minute: 10), "num_0 time_hour num_ten time_minute", "零点十分"),
    v(.time(hour: 17, minute: 2), "num_ten num_7 time_hour num_0 num_2 time_minute", "十七点零二分"),
    v(.digits("0123"), "digit_0 digit_1 digit_2 digit_3", "零一二三"),
    v(.digits("#9"), "digit_pound digit_9", "井号九"),
]

@Suite struct SayAsTests {
    @Test(arguments: englishVectors)
    func english(_ vector: Vector) throws {
        let ids = try SayAs.fragments(for: vector.segment, language: .en)
        #expect(ids == vector.ids)
        #expect(try repositoryFragments.joinedText(of: ids, language: .en) == vector.text)
    }

    @Test(arguments: mandarinVectors)
    func mandarin(_ vector: Vector) throws {
        let ids = try SayAs.fragments(for: vector.segment, language: .zh)
        #expect(ids == vector.ids)
        #expect(try repositoryFragments.joinedText(of: ids, language: .zh) == vector.text)
    }

    @Test func repositoryFragmentFilesLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Prompts").path
        let catalog = try PromptCatalog.load(root: root)
        #expect(catalog.text(of: "num_34", language: .en) == "thirty-four")
        #expect(catalog.text(of: "num_hundred_million", language: .zh) == "亿")
    }

    @Test(arguments: [Language.en, .zh])
    func invalidInputsAreErrors(_ language: Language) {
        #expect(throws: SayAsError.self) { try SayAs.fragments(for: .date(year: 2026, month: 2, day: 29), language: language) }
        #expect(throws: SayAsError.self) { try SayAs.fragments(for: .date(year: 2026, month: 13, day: 1), language: language) }
        #expect(throws: SayAsError.self) { try SayAs.fragments(for: .time(hour: 24, minute: 0), language: language) }
        #expect(throws: SayAsError.self) { try SayAs.fragments(for: .digits("12a"), language: language) }
        #expect(throws: SayAsError.self) { try SayAs.fragments(for: .currency(minorUnits: 1, code: "XYZ"), language: language) }
    }

    @Test func promptAndSilenceSegments() throws {
        #expect(try SayAs.fragments(for: .prompt("greeting"), language: .zh) == ["greeting"])
        #expect(try SayAs.fragments(for: .silence(milliseconds: 300), language: .en) == [])
    }
}
