public import Hummingbird

/// The ops console's server-rendered HTML: one page frame (title, navigation, a little CSS, no
/// scripts and no build step) and text escaping, shared by every console page so they look and
/// escape alike.
public enum ConsoleHTML {
    /// The console's sections, in navigation order: (path, label).
    public static let sections: [(path: String, label: String)] = [
        ("/console/calls", "Calls"), ("/console/funnel", "Funnel"),
        ("/console/prompts", "Prompts"), ("/console/menus", "Menus"),
        ("/console/admin/users", "Users"),  // admins only (others get 403)
    ]

    /// `text` safe inside HTML text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page: `body` is already-escaped HTML placed under the navigation.
    public static func page(title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let navigation = sections.map { #"<a href="\#($0.path)">\#($0.label)</a>"# }.joined(separator: " · ")
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · VoiceGate</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            nav{margin-bottom:1em}nav a{margin-right:.3em}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
            .num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00}
            </style></head>
            <body><nav><strong>VoiceGate</strong> · \(navigation)</nav>
            <h1>\(escape(title))</h1>
            \(body)
            </body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
