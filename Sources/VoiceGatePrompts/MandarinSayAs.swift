public import VoiceGateDialog

extension SayAs {
    /// Mandarin readings (standard 普通话 number reading, as banks read amounts aloud).
    /// - Cardinals: grouped by 万 (10^4) and 亿 (10^8), recursively (10^12 = 一万亿, 10^16 = 一亿亿).
    ///   One 零 stands for any run of zeros between two non-zero digits, also across a group
    ///   boundary (1005 一千零五, 100001 十万零一, 100001000 一亿零一千), but not for zeros that
    ///   merely end a group (10001000 一千万一千). 10–19 at the very start read 十… (十万, 十一),
    ///   elsewhere 一十… (10010 一万零一十, 110 一百一十): the standard form. 二 is used everywhere
    ///   in numbers and amounts (二千, 二万, 二亿), the formal reading of amounts that matches their
    ///   written 大写 form; 两 only for the hour two (两点). Negative: 负….
    /// - Currency (CNY/RMB, HKD): 元/港元, 角, 分: 1234.56 一千二百三十四元五角六分, 5.06 五元零六分,
    ///   5.60 五元六角, 0.56 五角六分, whole amounts …元整, zero 零元. USD/EUR read as decimals:
    ///   十二点五美元, 五欧元.
    /// - Dates: year digit by digit, month and day as numbers: 二零二六年三月三日.
    /// - Times: 24-hour clock, 九点三十分, 九点零五分, 九点 on the hour, 两点 for 2:00.
    /// - Digits: `digit_1` is 一 (the formal reading; a bank that prefers 幺 for digit strings
    ///   records or writes 幺 for `digit_1` and nothing else changes).
    public enum Mandarin {
        /// The fragment ids that speak `segment` in Mandarin.
        public static func fragments(for segment: PromptSegment) throws -> [String] {
            switch segment {
            case let .prompt(id): return [id]
            case let .number(n): return cardinal(n)
            case let .digits(s): return try digitFragments(s)
            case let .currency(minorUnits, code): return try currency(minorUnits: minorUnits, code: code)
            case let .date(year, month, day):
                try validateDate(year: year, month: month, day: day)
                return String(year).map { "num_\($0)" } + ["date_year"]
                    + cardinal(Int64(month)) + ["date_month"] + cardinal(Int64(day)) + ["date_day"]
            case let .time(hour, minute):
                try validateTime(hour: hour, minute: minute)
                var out = (hour == 2 ? ["num_liang"] : cardinal(Int64(hour))) + ["time_hour"]
                if minute > 0 { out += (minute < 10 ? ["num_0"] : []) + cardinal(Int64(minute)) + ["time_minute"] }
                return out
            case .silence: return []
            }
        }

        /// A cardinal number, the whole Int64 range.
        public static func cardinal(_ n: Int64) -> [String] {
            if n == 0 { return ["num_0"] }
            return (n < 0 ? ["minus"] : []) + read(n.magnitude, leading: true)
        }

        /// n > 0; `leading` when nothing has been said before it (十 vs 一十).
        static func read(_ n: UInt64, leading: Bool) -> [String] {
            if n < 100_000_000 { return readBelowYi(n, leading: leading) }
            let (hi, lo) = (n / 100_000_000, n % 100_000_000)
            var out = read(hi, leading: leading) + ["num_hundred_million"]
            if lo > 0 {
                if lo < 10_000_000 { out.append("num_0") }
                out += readBelowYi(lo, leading: false)
            }
            return out
        }

        /// 0 < n < 10^8.
        static func readBelowYi(_ n: UInt64, leading: Bool) -> [String] {
            let (hi, lo) = (Int(n / 10_000), Int(n % 10_000))
            var out: [String] = []
            if hi > 0 { out += readGroup(hi, leading: leading) + ["num_ten_thousand"] }
            if lo > 0 {
                if hi > 0 && lo < 1000 { out.append("num_0") }
                out += readGroup(lo, leading: leading && hi == 0)
            }
            return out
        }

        /// 0 < n < 10^4: digits with 千 百 十 and inner 零.
        static func readGroup(_ n: Int, leading: Bool) -> [String] {
            let units = ["num_thousand", "num_hundred", "num_ten", nil]
            let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10]
            var out: [String] = []
            var started = false, zero = false
            for (place, d) in digits.enumerated() {
                if d == 0 { zero = started; continue }
                if zero { out.append("num_0"); zero = false }
                if place == 2 && d == 1 && !started && leading {
                    out.append("num_ten")  // 十 alone at the start: 十, 十五, 十万
                } else {
                    out.append("num_\(d)")
                    if let unit = units[place] { out.append(unit) }
                }
                started = true
            }
            return out
        }

        /// Units of the currencies read with 角 and 分.
        static let jiaoFenCurrencies: [String: String] = ["CNY": "cur_yuan", "RMB": "cur_yuan", "HKD": "cur_hkd"]
        /// Currencies read as decimals with their unit word last.
        static let decimalCurrencies: [String: String] = ["USD": "cur_usd", "EUR": "cur_eur"]

        /// An amount in minor units (分 / cents), 100 to the major unit.
        public static func currency(minorUnits: Int64, code: String) throws -> [String] {
            let code = code.uppercased()
            let magnitude = minorUnits.magnitude
            let (major, minor) = (magnitude / 100, Int(magnitude % 100))
            var out: [String] = minorUnits < 0 ? ["minus"] : []
            let majorWords = major == 0 ? ["num_0"] : read(major, leading: true)
            if let unit = jiaoFenCurrencies[code] {
                let (jiao, fen) = (minor / 10, minor % 10)
                if major > 0 || minor == 0 { out += majorWords + [unit] }
                if minor == 0 {
                    if major > 0 { out.append("cur_zheng") }
                    return out
                }
                if jiao > 0 { out += ["num_\(jiao)", "cur_jiao"] } else if major > 0 { out.append("num_0") }
                if fen > 0 { out += ["num_\(fen)", "cur_fen"] }
                return out
            }
            if let unit = decimalCurrencies[code] {
                out += majorWords
                if minor > 0 {
                    out.append("num_point")
                    out.append("num_\(minor / 10)")
                    if minor % 10 > 0 { out.append("num_\(minor % 10)") }
                }
                return out + [unit]
            }
            throw SayAsError.unsupportedCurrency(code: code, language: .zh)
        }
    }
}
