import Foundation
public import Hummingbird
import VoiceGateCodecs
import VoiceGateDialog
import VoiceGateStore

/// The prompt and menu version routes: console pages (`/console/prompts`, `/console/menus`,
/// HTML forms posting back and redirecting) and their JSON twins (`/api/prompts`,
/// `/api/menus`), plus `POST /api/admin/reload` (what `voicegate reload` calls). Authentication
/// and roles are the admin server's middleware's job (editor for every POST), not this file's.
public enum VersionRoutes {
    /// Sample rate of previews (wideband, as browsers play it).
    static let previewRate = 16000

    /// Adds every route to `router`.
    public static func install(_ router: Router<AdminRequestContext>, publisher: VersionPublisher) {
        installPrompts(router, publisher)
        installMenus(router, publisher)
        router.post("/api/admin/reload") { _, context in
            let problems = await publisher.reloadFromDisk(by: author(context))
            return AdminHTTPServer.json(problems.isEmpty ? .ok : .unprocessableContent, problemsJSON(problems))
        }
    }

    /// Who does a change: the authenticated name (or `anonymous`) from the client's address.
    static func author(_ context: AdminRequestContext) -> ChangeAuthor {
        ChangeAuthor(who: context.identity?.name ?? "anonymous", source: context.remoteAddress ?? "unknown")
    }

    /// The `{id}/{lang}` of a prompt route.
    static func promptKey(_ context: AdminRequestContext) throws -> PromptKey {
        let id = try context.parameters.require("id")
        guard let language = Language(rawValue: try context.parameters.require("lang")) else {
            throw HTTPError(.notFound, message: "unknown language")
        }
        return PromptKey(id: id, language: language)
    }

    /// `{"problems":[...],"ok":bool}` with each problem as `file:line:column: message`, plus its parts.
    static func problemsJSON(_ problems: [ConfigProblem]) -> String {
        let list = problems.map { problem -> [String: Any] in
            ["problem": problem.description, "file": problem.location.file, "line": problem.location.line,
             "column": problem.location.column, "message": problem.message]
        }
        return json(["ok": problems.isEmpty, "problems": list])
    }

    /// A JSON object as text (keys sorted).
    static func json(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The query's fields decoded as a browser's GET form encodes them (`+` is a space).
    static func query(_ request: Request) -> [String: String] {
        RequestFields.form(request.uri.query ?? "")
    }

    /// A `303 See Other` to `path` (post/redirect/get, so reloading a page does not re-post).
    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }

    /// The HTTP answer to a failed publish.
    static func failure(_ error: any Error, api: Bool) -> Response {
        let (status, message): (HTTPResponse.Status, String)
        switch error {
        case PublishError.notFound(let what): (status, message) = (.notFound, what)
        case PublishError.conflict(let what): (status, message) = (.conflict, what)
        case PublishError.invalid(let problems):
            return api ? AdminHTTPServer.json(.unprocessableContent, problemsJSON(problems.problems))
                : ConsoleHTML.page(title: "Menu rejected", body: VersionPages.problemList(problems.problems),
                                   status: .unprocessableContent)
        default: (status, message) = (.internalServerError, "\(error)")
        }
        return api ? AdminHTTPServer.json(status, json(["error": message]))
            : ConsoleHTML.page(title: "Not done", body: "<p class=\"bad\">\(ConsoleHTML.escape(message))</p>", status: status)
    }

    /// WAV audio of `text` in the prompt's language, as a prompt would sound.
    static func preview(_ text: String, key: PromptKey, publisher: VersionPublisher) async throws -> Response {
        let clip = try await publisher.live.renderer.preview(text: text, language: key.language, sampleRate: previewRate)
        let bytes = WAVFile.encode(clip)
        return Response(status: .ok, headers: [.contentType: "audio/wav", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static func installPrompts(_ router: Router<AdminRequestContext>, _ publisher: VersionPublisher) {
        router.get("/console/prompts") { _, _ in
            VersionPages.promptList(await publisher.live.state)
        }
        router.get("/api/prompts") { _, _ in
            let state = await publisher.live.state
            let list = VersionPublisher.textKeys(state.catalog).map { key -> [String: Any] in
                var item: [String: Any] = ["id": key.id, "lang": key.language.rawValue,
                                           "text": state.catalog.text(of: key.id, language: key.language) ?? ""]
                if let version = state.promptVersions[key] { item["version"] = version }
                return item
            }
            return AdminHTTPServer.json(.ok, json(["prompts": list]))
        }
        router.get("/console/prompts/:id/:lang") { request, context in
            let key = try promptKey(context)
            let state = await publisher.live.state
            guard let text = state.catalog.text(of: key.id, language: key.language) else {
                return failure(PublishError.notFound("no prompt text '\(key)'"), api: false)
            }
            let history = try await publisher.promptHistory(key)
            return VersionPages.promptEditor(key: key, text: text, version: state.promptVersions[key],
                                             recorded: state.catalog.recording(of: key.id, language: key.language) != nil,
                                             history: history, previewText: query(request)["text"], note: query(request)["note"])
        }
        router.get("/api/prompts/:id/:lang") { _, context in
            let key = try promptKey(context)
            let state = await publisher.live.state
            guard let text = state.catalog.text(of: key.id, language: key.language) else {
                return failure(PublishError.notFound("no prompt text '\(key)'"), api: true)
            }
            let history = try await publisher.promptHistory(key).map { version -> [String: Any] in
                ["version": version.id, "text": String(decoding: version.content, as: UTF8.self), "author": version.author,
                 "created_at": ISO8601DateFormatter().string(from: version.createdAt), "note": version.note ?? ""]
            }
            var item: [String: Any] = ["id": key.id, "lang": key.language.rawValue, "text": text, "history": history]
            if let version = state.promptVersions[key] { item["version"] = version }
            return AdminHTTPServer.json(.ok, json(item))
        }
        for prefix in ["/console", "/api"] {
            router.get("\(prefix)/prompts/:id/:lang/preview") { request, context in
                let key = try promptKey(context)
                guard let text = query(request)["text"], !text.isEmpty else {
                    throw HTTPError(.badRequest, message: "missing text")
                }
                return try await preview(text, key: key, publisher: publisher)
            }
            router.post("\(prefix)/prompts/:id/:lang/preview") { request, context in
                let key = try promptKey(context)
                guard let text = try await RequestFields.read(request)["text"], !text.isEmpty else {
                    throw HTTPError(.badRequest, message: "missing text")
                }
                return try await preview(text, key: key, publisher: publisher)
            }
        }
        router.post("/console/prompts/:id/:lang/publish") { request, context in
            try await publishPrompt(request, context, publisher, api: false)
        }
        router.post("/api/prompts/:id/:lang/publish") { request, context in
            try await publishPrompt(request, context, publisher, api: true)
        }
        for (prefix, api) in [("/console", false), ("/api", true)] {
            router.post("\(prefix)/prompts/:id/:lang/rollback/:version") { _, context in
                let key = try promptKey(context)
                let version = try context.parameters.require("version", as: Int64.self)
                do {
                    try await publisher.rollbackPrompt(key, to: version, by: author(context))
                } catch {
                    return failure(error, api: api)
                }
                return api ? AdminHTTPServer.json(.ok, json(["id": key.id, "lang": key.language.rawValue, "version": version]))
                    : redirect("/console/prompts/\(key.id)/\(key.language.rawValue)")
            }
        }
    }

    private static func publishPrompt(_ request: Request, _ context: AdminRequestContext, _ publisher: VersionPublisher,
                                      api: Bool) async throws -> Response {
        let key = try promptKey(context)
        let fields = try await RequestFields.read(request)
        guard let text = fields["text"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            throw HTTPError(.badRequest, message: "missing text")
        }
        let note = fields["note"].flatMap { $0.isEmpty ? nil : $0 }
        let version: Int64?
        do {
            version = try await publisher.publishPrompt(key, text: text, note: note, by: author(context))
        } catch {
            return failure(error, api: api)
        }
        if api {
            var item: [String: Any] = ["id": key.id, "lang": key.language.rawValue]
            if let version { item["version"] = version }
            return AdminHTTPServer.json(.ok, json(item))
        }
        return redirect("/console/prompts/\(key.id)/\(key.language.rawValue)")
    }

    private static func installMenus(_ router: Router<AdminRequestContext>, _ publisher: VersionPublisher) {
        router.get("/console/menus") { _, _ in
            VersionPages.menus(await publisher.live.state, history: try await publisher.menuHistory())
        }
        router.get("/api/menus") { _, _ in
            let state = await publisher.live.state
            let history = try await publisher.menuHistory().map { version -> [String: Any] in
                ["version": version.id, "name": version.name, "author": version.author, "note": version.note ?? "",
                 "created_at": ISO8601DateFormatter().string(from: version.createdAt)]
            }
            var item: [String: Any] = ["name": state.menu.engine.menu.name, "canary_percent": state.canaryPercent,
                                       "history": history]
            if let version = state.menu.version { item["current"] = version }
            if let canary = state.canary, let version = canary.version { item["canary"] = version }
            return AdminHTTPServer.json(.ok, json(item))
        }
        for (prefix, api) in [("/console", false), ("/api", true)] {
            router.post("\(prefix)/menus/publish") { request, context in
                let fields = try await RequestFields.read(request)
                guard let yaml = fields["yaml"], !yaml.isEmpty else { throw HTTPError(.badRequest, message: "missing yaml") }
                let canary = fields["canary_percent"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                if let canary, !(0...100).contains(canary) {
                    throw HTTPError(.badRequest, message: "canary_percent must be 0-100")
                }
                do {
                    let version = try await publisher.publishMenu(
                        yaml: yaml, note: fields["note"].flatMap { $0.isEmpty ? nil : $0 }, canaryPercent: canary,
                        by: author(context))
                    if !api { return redirect("/console/menus") }
                    var item: [String: Any] = ["ok": true, "canary_percent": canary ?? 100]
                    if let version { item["version"] = version }
                    return AdminHTTPServer.json(.ok, json(item))
                } catch {
                    return failure(error, api: api)
                }
            }
            router.post("\(prefix)/menus/promote") { _, context in
                do { try await publisher.promoteCanary(by: author(context)) } catch { return failure(error, api: api) }
                return api ? AdminHTTPServer.json(.ok, json(["ok": true])) : redirect("/console/menus")
            }
            router.post("\(prefix)/menus/rollback/:version") { _, context in
                let version = try context.parameters.require("version", as: Int64.self)
                do { try await publisher.rollbackMenu(to: version, by: author(context)) } catch { return failure(error, api: api) }
                return api ? AdminHTTPServer.json(.ok, json(["ok": true, "version": version])) : redirect("/console/menus")
            }
        }
    }
}
