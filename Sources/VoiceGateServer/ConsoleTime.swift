import Foundation

/// How the console reads and shows times: always UTC (the gateway's records are UTC and staff
/// in several offices must see the same numbers), in the shapes an HTML form sends.
enum ConsoleTime {
    /// Formats accepted in query parameters: what `<input type="datetime-local">` sends
    /// (with or without seconds), a bare date, and ISO 8601 with `Z`.
    static let inputFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'",
                               "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"]

    static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    /// A time from a query parameter (UTC), or nil when empty or unreadable.
    static func parse(_ text: String?) -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        for format in inputFormats {
            if let date = formatter(format).date(from: text) { return date }
        }
        return nil
    }

    /// The value for a `datetime-local` input.
    static func inputValue(_ date: Date?) -> String {
        date.map { formatter("yyyy-MM-dd'T'HH:mm").string(from: $0) } ?? ""
    }

    /// A time shown in tables: `2026-11-23 07:45:06`.
    static func display(_ date: Date?) -> String {
        date.map { formatter("yyyy-MM-dd HH:mm:ss").string(from: $0) } ?? "–"
    }

    /// An offset into a call: `+1:02.340`.
    static func offset(ms: Int64) -> String {
        let minutes = ms / 60_000, seconds = (ms % 60_000) / 1000, millis = ms % 1000
        return "+\(minutes):" + (seconds < 10 ? "0" : "") + "\(seconds)." + String(format: "%03d", Int(millis))
    }

    /// A duration in seconds: `42.3 s`.
    static func duration(from start: Date, to end: Date?) -> String {
        guard let end else { return "running" }
        return String(format: "%.1f s", end.timeIntervalSince(start))
    }
}
