public import VoiceGateDialog

extension SayAs {
    /// American English readings.
    /// - Cardinals: `num_0`…`num_99` are whole fragments ("thirty-four" is one recording, as IVR
    ///   voice talents usually record them), then `num_hundred`, `num_thousand`, `num_million`,
    ///   `num_billion`, `num_trillion`, `num_quadrillion`, `num_quintillion`; no "and"
    ///   (1234 = one thousand two hundred thirty-four); negative numbers start with `minus`.
    /// - Currency: "N dollars and M cents" with singular/plural (`cur_dollar`/`cur_dollars`,
    ///   `cur_cent`/`cur_cents`, `cur_and`); zero is "zero dollars"; cents only when under a dollar;
    ///   whole amounts have no cents. A negative balance is read "minus …" (the prompt around it
    ///   may say "your balance is"; "overdrawn by" would need a different sentence, which is the
    ///   dialog's choice). Codes: USD, EUR (euro/euros, cent/cents), GBP (pound/pounds,
    ///   penny/pence), CNY (yuan, fen).
    /// - Dates: month name, ordinal day, year as spoken ("March third twenty twenty-six";
    ///   2000–2009 as "two thousand five"; 1905 as "nineteen oh five"; 1900 as "nineteen hundred").
    /// - Times: 12-hour clock, "nine thirty a m", "nine oh five a m", "nine a m" on the hour,
    ///   "twelve p m" at noon, "twelve a m" at midnight (`time_am`, `time_pm`, `num_oh`).
    /// - Digits: `digit_0`…`digit_9` ("zero", not "oh", for account and card digits).
    public enum English {
        /// The fragment ids that speak `segment` in English.
        public static func fragments(for segment: PromptSegment) throws -> [String] {
            switch segment {
            case let .prompt(id): return [id]
            case let .number(n): return cardinal(n)
            case let .digits(s): return try digitFragments(s)
            case let .currency(minorUnits, code): return try currency(minorUnits: minorUnits, code: code)
            case let .date(year, month, day):
                try validateDate(year: year, month: month, day: day)
                return ["month_\(month)", "ord_\(day)"] + self.year(year)
            case let .time(hour, minute):
                try validateTime(hour: hour, minute: minute)
                let h12 = hour % 12 == 0 ? 12 : hour % 12
                var out = ["num_\(h12)"]
                if minute > 0 { out += minute < 10 ? ["num_oh", "num_\(minute)"] : ["num_\(minute)"] }
                out.append(hour < 12 ? "time_am" : "time_pm")
                return out
            case .silence: return []
            }
        }

        /// Scale words for groups of three digits, lowest first.
        static let scales = ["", "num_thousand", "num_million", "num_billion", "num_trillion", "num_quadrillion", "num_quintillion"]

        /// A cardinal number, the whole Int64 range.
        public static func cardinal(_ n: Int64) -> [String] {
            n < 0 ? ["minus"] + cardinal(magnitude: n.magnitude) : cardinal(magnitude: n.magnitude)
        }

        static func cardinal(magnitude: UInt64) -> [String] {
            if magnitude == 0 { return ["num_0"] }
            var groups: [Int] = []
            var rest = magnitude
            while rest > 0 { groups.append(Int(rest % 1000)); rest /= 1000 }
            var out: [String] = []
            for (index, group) in groups.enumerated().reversed() where group > 0 {
                out += below1000(group)
                if index > 0 { out.append(scales[index]) }
            }
            return out
        }

        /// 1…999: "two hundred thirty-four".
        static func below1000(_ n: Int) -> [String] {
            var out: [String] = []
            if n >= 100 { out += ["num_\(n / 100)", "num_hundred"] }
            if n % 100 > 0 { out.append("num_\(n % 100)") }
            return out
        }

        /// A year as people say it.
        static func year(_ y: Int) -> [String] {
            if y % 1000 == 0 || (2000..<2010).contains(y) || y < 1000 { return cardinal(Int64(y)) }
            let (hi, lo) = (y / 100, y % 100)
            if lo == 0 { return ["num_\(hi)", "num_hundred"] }
            if lo < 10 { return ["num_\(hi)", "num_oh", "num_\(lo)"] }
            return ["num_\(hi)", "num_\(lo)"]
        }

        /// Fragment ids of a currency: major singular/plural, minor singular/plural.
        static let currencies: [String: (major: String, majors: String, minor: String, minors: String)] = [
            "USD": ("cur_dollar", "cur_dollars", "cur_cent", "cur_cents"),
            "EUR": ("cur_euro", "cur_euros", "cur_cent", "cur_cents"),
            "GBP": ("cur_pound", "cur_pounds", "cur_penny", "cur_pence"),
            "CNY": ("cur_yuan", "cur_yuan", "cur_fen", "cur_fen"),
        ]

        /// An amount in minor units (cents), 100 minor units to the major unit.
        public static func currency(minorUnits: Int64, code: String) throws -> [String] {
            guard let words = currencies[code.uppercased()] else {
                throw SayAsError.unsupportedCurrency(code: code, language: .en)
            }
            let magnitude = minorUnits.magnitude
            let (major, minor) = (magnitude / 100, magnitude % 100)
            var out: [String] = minorUnits < 0 ? ["minus"] : []
            if major > 0 || minor == 0 {
                out += cardinal(magnitude: major)
                out.append(major == 1 ? words.major : words.majors)
            }
            if minor > 0 {
                if major > 0 { out.append("cur_and") }
                out += cardinal(magnitude: minor)
                out.append(minor == 1 ? words.minor : words.minors)
            }
            return out
        }
    }
}
