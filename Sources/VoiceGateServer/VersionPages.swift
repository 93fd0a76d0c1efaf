import Foundation
public import Hummingbird
import VoiceGateDialog
import VoiceGateStore

/// The console's Prompts and Menus pages (server-rendered HTML, plain forms, no scripts).
enum VersionPages {
    private static func e(_ text: String) -> String { ConsoleHTML.escape(text) }

    /// URL query characters left as they are (RFC 3986 unreserved, ASCII only).
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func time(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// A list of problems as `file:line:column: message`.
    static func problemList(_ problems: [ConfigProblem]) -> String {
        "<p>The menu was not published; the running menu is unchanged.</p><ul class=\"bad problems\">"
            + problems.map { "<li><code>\(e($0.description))</code></li>" }.joined() + "</ul>"
    }

    /// Every prompt text: id × language, its text and version, linking to its editor.
    static func promptList(_ state: LiveState) -> Response {
        let keys = VersionPublisher.textKeys(state.catalog)
        let ids = Array(Set(keys.map(\.id))).sorted()
        let languages = Language.allCases.filter { language in keys.contains { $0.language == language } }
        var rows = ""
        for id in ids {
            rows += "<tr><th>\(e(id))</th>"
            for language in languages {
                let key = PromptKey(id: id, language: language)
                if let text = state.catalog.text(of: id, language: language) {
                    let short = text.count > 80 ? String(text.prefix(77)) + "…" : text
                    let version = state.promptVersions[key].map { "v\($0)" } ?? "—"
                    rows += "<td><a href=\"/console/prompts/\(e(id))/\(language.rawValue)\">\(e(short))</a> <small>\(version)</small></td>"
                } else {
                    rows += "<td>—</td>"
                }
            }
            rows += "</tr>"
        }
        let head = "<tr><th>Prompt</th>" + languages.map { "<th>\($0.rawValue)</th>" }.joined() + "</tr>"
        return ConsoleHTML.page(title: "Prompts", body: """
            <p>The text new calls play, per language, and its version. Calls in progress keep the version they started with.</p>
            <table id="prompts">\(head)\(rows)</table>
            """)
    }

    /// One prompt text: one form (the text, a note) whose *Preview* button reloads the page with
    /// the draft and an `<audio>` player of it, and whose *Publish* button posts it; then the
    /// versions with rollback buttons.
    static func promptEditor(key: PromptKey, text: String, version: Int64?, recorded: Bool,
                             history: [PromptVersion], previewText: String?, note: String?) -> Response {
        let base = "/console/prompts/\(e(key.id))/\(key.language.rawValue)"
        let draft = previewText ?? text
        var preview = ""
        if let previewText, !previewText.isEmpty {
            let query = previewText.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
            preview = """
                <p>Preview of the draft (synthesised on the server; not published):</p>
                <audio id="preview" controls autoplay src="\(base)/preview?text=\(query)"></audio>
                """
        }
        let recordedNote = recorded
            ? "<p class=\"bad\">A recording (<code>\(e(key.id)).wav</code>) exists: calls play it, not this text.</p>" : ""
        var rows = ""
        for row in history {
            let content = String(decoding: row.content, as: UTF8.self)
            let isCurrent = row.id == version
            let action = isCurrent ? "<strong>current</strong>" : """
                <form method="post" action="\(base)/rollback/\(row.id)"><button>Roll back to v\(row.id)</button></form>
                """
            rows += """
                <tr><td class="num">v\(row.id)</td><td>\(e(time(row.createdAt)))</td><td>\(e(row.author))</td>\
                <td>\(e(row.note ?? ""))</td><td>\(e(content))</td><td>\(action)</td></tr>
                """
        }
        return ConsoleHTML.page(title: "Prompt \(key.id) (\(key.language.rawValue))", body: """
            <p>Current version: <strong id="current-version">\(version.map { "v\($0)" } ?? "—")</strong> · <a href="/console/prompts">all prompts</a></p>
            \(recordedNote)
            <form method="post" action="\(base)/publish" id="edit">
            <p><textarea name="text" rows="5" cols="80">\(e(draft))</textarea></p>
            <p>Note: <input name="note" size="50" required value="\(e(note ?? ""))">
            <button id="preview-button" formmethod="get" formaction="\(base)" formnovalidate>Preview</button>
            <button id="publish-button">Publish for new calls</button></p>
            </form>
            \(preview)
            <h2>Versions</h2>
            <table id="versions"><tr><th>Version</th><th>When</th><th>Who</th><th>Note</th><th>Text</th><th></th></tr>\(rows)</table>
            """)
    }

    /// The menu: current and canary versions, publish (optionally as a canary), promote, history.
    static func menus(_ state: LiveState, history: [MenuVersion]) -> Response {
        let current = state.menu.version.map { "v\($0)" } ?? "—"
        var canary = "<p>No canary.</p>"
        if let menu = state.canary {
            canary = """
                <p>Canary: <strong id="canary-version">\(menu.version.map { "v\($0)" } ?? "—")</strong> for \
                \(state.canaryPercent)% of new calls.</p>
                <form method="post" action="/console/menus/promote"><button>Promote the canary to every new call</button></form>
                """
        }
        var rows = ""
        for row in history {
            let running = row.id == state.menu.version ? "<strong>current</strong>"
                : row.id == state.canary?.version ? "<strong>canary</strong>" : """
                <form method="post" action="/console/menus/rollback/\(row.id)"><button>Roll back to v\(row.id)</button></form>
                """
            rows += """
                <tr><td class="num">v\(row.id)</td><td>\(e(row.name))</td><td>\(e(time(row.createdAt)))</td>\
                <td>\(e(row.author))</td><td>\(e(row.note ?? ""))</td><td>\(running)</td></tr>
                """
        }
        return ConsoleHTML.page(title: "Menus", body: """
            <p>Menu <strong>\(e(state.menu.engine.menu.name))</strong>, current version <strong id="current-version">\(current)</strong>.
            Every call keeps the version it started on.</p>
            \(canary)
            <h2>Publish</h2>
            <form method="post" action="/console/menus/publish">
            <p><textarea name="yaml" rows="24" cols="100">\(e(state.canary?.yaml ?? state.menu.yaml))</textarea></p>
            <p>Note: <input name="note" size="50" required>
            Canary for <input name="canary_percent" type="number" min="0" max="100" value="100" size="4">% of new calls (100: all)
            <button>Validate and publish</button></p>
            </form>
            <h2>Versions</h2>
            <table id="versions"><tr><th>Version</th><th>Name</th><th>When</th><th>Who</th><th>Note</th><th></th></tr>\(rows)</table>
            """)
    }
}
