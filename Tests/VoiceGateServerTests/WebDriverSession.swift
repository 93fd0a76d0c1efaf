import Foundation
import Glibc

/// A real browser driven as a person would drive it: Debian's headless `chromium` behind
/// `chromedriver` (package `chromium-driver`, installed by `make setup`), spoken to over the
/// W3C WebDriver protocol — plain JSON over HTTP to a chromedriver this type starts on a free
/// loopback port. No Selenium, no Python.
///
/// chromedriver runs in its own session (`setsid`), so `close()` ends it and every Chromium
/// process it started with one signal to the process group; Chromium processes that left the
/// group are found by their throw-away profile folder and killed by pid. Call `close()` on
/// every path (a `defer`); `deinit` calls it too.
final class WebDriverSession {
    /// The W3C key of an element reference in JSON answers.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    static var chromedriverPath: String? {
        ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver", "/usr/local/bin/chromedriver"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why a browser test cannot run here (nil: it can).
    static var missingBrowser: String? {
        if ConsoleBrowser.chromiumPath == nil { return "chromium is not installed" }
        if chromedriverPath == nil { return "chromedriver (Debian chromium-driver) is not installed" }
        return nil
    }

    /// One element of the current page (a WebDriver element reference).
    struct Element {
        let id: String
    }

    let folder: URL
    private let driver: Process
    private let port: Int
    private var sessionID: String?
    private var closed = false
    /// Longest one WebDriver command may take (page loads included).
    let commandTimeout: Int

    var profileFolder: URL { folder.appendingPathComponent("profile") }
    var logURL: URL { folder.appendingPathComponent("chromedriver.log") }

    /// Starts chromedriver on a free loopback port and opens a headless Chromium session with
    /// a fresh profile under `folder` (window `width`×`height`).
    init(folder: URL, width: Int = 1400, height: Int = 1000, commandTimeout: Int = 90) throws {
        guard let chromium = ConsoleBrowser.chromiumPath, let chromedriver = Self.chromedriverPath else {
            throw TestFailure("a browser test needs chromium and chromedriver (Debian chromium-driver); run make setup")
        }
        self.folder = folder
        self.commandTimeout = commandTimeout
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("chromedriver.log").path, contents: nil)
        var started: (Process, Int)?
        for _ in 0..<4 where started == nil {
            let port = try freeTCPPort()
            let p = Process()
            // setsid: chromedriver leads a new process group that Chromium's processes join.
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            p.arguments = ["--wait", chromedriver, "--port=\(port)", "--log-path=\(folder.appendingPathComponent("chromedriver.log").path)"]
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, p.isRunning {
                if let status = httpRequest(port: port, path: "/status", timeout: 2), status.status == 200,
                   status.body.contains("\"ready\":true") {
                    started = (p, port)
                    break
                }
                usleep(100_000)
            }
            if started == nil { Self.killGroup(p, folder: folder.path) }
        }
        guard let (process, port) = started else { throw TestFailure("chromedriver did not start") }
        driver = process
        self.port = port
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": ["pageLoad": commandTimeout * 1000, "script": 30_000, "implicit": 0],
            "goog:chromeOptions": [
                "binary": chromium,
                // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-extensions", "--mute-audio", "--disable-breakpad",
                         "--disable-crash-reporter",
                         "--autoplay-policy=no-user-gesture-required", "--window-size=\(width),\(height)",
                         "--user-data-dir=\(folder.appendingPathComponent("profile").path)"],
            ] as [String: Any],
        ] as [String: Any]]]
        do {
            let value = try command("POST", "/session", capabilities, session: false)
            guard let object = value as? [String: Any], let id = object["sessionId"] as? String else {
                throw TestFailure("new session: no sessionId in \(String(describing: value))")
            }
            sessionID = id
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    // MARK: Commands

    /// Opens `url` and waits for the page to load.
    func navigate(_ url: String) throws { _ = try command("POST", "/url", ["url": url]) }

    /// The address of the page shown now.
    func currentURL() throws -> String { try command("GET", "/url") as? String ?? "" }

    /// The page's HTML as the browser holds it now.
    func pageSource() throws -> String { try command("GET", "/source") as? String ?? "" }

    /// The first element matching the CSS `selector`; throws when there is none.
    func element(_ selector: String) throws -> Element {
        let value = try command("POST", "/element", ["using": "css selector", "value": selector])
        guard let object = value as? [String: Any], let id = object[Self.elementKey] as? String else {
            throw TestFailure("no element \(selector)")
        }
        return Element(id: id)
    }

    /// Every element matching the CSS `selector` (possibly none).
    func elements(_ selector: String) throws -> [Element] {
        let value = try command("POST", "/elements", ["using": "css selector", "value": selector])
        return (value as? [[String: Any]] ?? []).compactMap { ($0[Self.elementKey] as? String).map(Element.init) }
    }

    /// Empties an input or textarea.
    func clear(_ element: Element) throws { _ = try command("POST", "/element/\(element.id)/clear", [String: Any]()) }

    /// Types `text` into `element` as key presses.
    func sendKeys(_ element: Element, _ text: String) throws {
        _ = try command("POST", "/element/\(element.id)/value", ["text": text])
    }

    /// Clicks `element` (a submit button: the form is sent and the next page loaded).
    func click(_ element: Element) throws { _ = try command("POST", "/element/\(element.id)/click", [String: Any]()) }

    /// The element's rendered text.
    func text(_ element: Element) throws -> String { try command("GET", "/element/\(element.id)/text") as? String ?? "" }

    /// The element's DOM property `name` (e.g. `value`, `src` resolved to a full URL), nil when absent.
    func property(_ element: Element, _ name: String) throws -> Any? {
        let value = try command("GET", "/element/\(element.id)/property/\(name)")
        return value is NSNull ? nil : value
    }

    /// The element's attribute `name` as written in the HTML, nil when absent.
    func attribute(_ element: Element, _ name: String) throws -> String? {
        try command("GET", "/element/\(element.id)/attribute/\(name)") as? String
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value.
    func execute(_ script: String, _ args: [Any] = []) throws -> Any? {
        let value = try command("POST", "/execute/sync", ["script": script, "args": args])
        return value is NSNull ? nil : value
    }

    /// Runs `script` in the page; it finishes by calling `arguments[arguments.length - 1](value)`.
    func executeAsync(_ script: String, _ args: [Any] = []) throws -> Any? {
        let value = try command("POST", "/execute/async", ["script": script, "args": args])
        return value is NSNull ? nil : value
    }

    /// Polls `condition` every 100 ms until it holds (true) or `seconds` pass (false). Errors
    /// thrown by the condition count as "not yet" (e.g. the element is not there yet).
    func waitUntil(seconds: Double = 30, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if (try? condition()) == true { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }

    /// One WebDriver command: `method` on `/session/{id}` + `path` (or `path` alone), the JSON
    /// `body`; returns the answer's `value`, throws the browser's error otherwise.
    @discardableResult
    func command(_ method: String, _ path: String, _ body: Any? = nil, session: Bool = true) throws -> Any? {
        var fullPath = path
        if session {
            guard let sessionID else { throw TestFailure("no WebDriver session") }
            fullPath = "/session/\(sessionID)" + path
        }
        var text = ""
        if let body { text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self) }
        guard let answer = Self.exchange(port: port, method: method, path: fullPath, body: text, timeout: commandTimeout) else {
            throw TestFailure("WebDriver \(method) \(path): no answer from chromedriver within \(commandTimeout) s; log tail:\n\(logTail())")
        }
        let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8), options: [.fragmentsAllowed]) as? [String: Any]
        let value = object?["value"]
        guard answer.status == 200 else {
            let error = (value as? [String: Any]).map { "\($0["error"] ?? ""): \($0["message"] ?? "")" } ?? answer.body
            throw TestFailure("WebDriver \(method) \(path) → \(answer.status) \(String(error.prefix(1500)))")
        }
        return value
    }

    /// One HTTP/1.1 request to chromedriver on 127.0.0.1:`port`: the status and body, or nil
    /// when it does not answer within `timeout` seconds (`httpRequest`, which ends the answer
    /// at its `Content-Length`: chromedriver may keep the connection open after a POST).
    static func exchange(port: Int, method: String, path: String, body: String, timeout seconds: Int) -> (status: Int, body: String)? {
        httpRequest(port: port, method: method, path: path, headers: ["Content-Type": "application/json; charset=utf-8"],
                    body: body, timeout: seconds).map { ($0.status, $0.body) }
    }

    /// The end of chromedriver's log (for failure messages).
    func logTail() -> String {
        String(((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").suffix(3000))
    }

    // MARK: Ending

    /// Ends the session (Chromium quits), then chromedriver and anything left of its process
    /// group or using this profile. Safe to call more than once.
    func close() {
        guard !closed else { return }
        closed = true
        if sessionID != nil {
            _ = try? command("DELETE", "", nil)
            sessionID = nil
        }
        Self.killGroup(driver, folder: folder.path)
    }

    /// Ends chromedriver (`p` is `setsid --wait`; chromedriver is its child, leading its own
    /// process group) and every process of that group: SIGTERM, SIGKILL after 3 s; then
    /// SIGKILLs any process whose command line still names `folder` (the log path, the
    /// Chromium profile), by pid.
    private static func killGroup(_ p: Process, folder: String) {
        let groups = Set(processes(naming: folder).map { getpgid($0) }.filter { $0 > 1 && $0 != getpgrp() })
        for group in groups { kill(-group, SIGTERM) }
        if p.processIdentifier > 0 { kill(p.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(3)
        while !processes(naming: folder).isEmpty, Date() < deadline { usleep(50_000) }
        for group in groups { kill(-group, SIGKILL) }
        for pid in processes(naming: folder) { kill(pid, SIGKILL) }
        _ = wait(p, seconds: 3)
    }

    /// The pids of the processes (not this one) whose command line contains `text`.
    private static func processes(naming text: String) -> [Int32] {
        let mine = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != mine,
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { return nil }
            return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text) ? pid : nil
        }
    }
}

/// A loopback TCP port that was free a moment ago (bound to port 0, then released).
func freeTCPPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("no socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestFailure("no free TCP port") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
