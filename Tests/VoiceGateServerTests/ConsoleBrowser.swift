import Foundation
import Glibc

/// Opens console pages in a real browser, headless Debian `chromium` (installed by `make setup`),
/// and returns the DOM after the page loaded (`--dump-dom`), or takes a screenshot. Each
/// instance has its own throw-away profile folder; every run is killed after `timeout`.
///
/// Authentication: the console will require a login. `credential` is whatever the server
/// accepts for a browser without a login form round trip; today that is nothing (nil). With a
/// user and password it is sent as HTTP Basic via the URL's user-info, which Chromium honours
/// for top-level navigations. When the console moves to session cookies only, give this
/// helper a `--user-data-dir` with the cookie or log in through the form here — tests keep
/// calling `dom(_:)` unchanged.
struct ConsoleBrowser {
    /// A user name and password (or token name and secret).
    struct Credential {
        var user: String
        var password: String
    }

    static var chromiumPath: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `http://127.0.0.1:PORT`.
    var baseURL: String
    /// See the type's note; nil: no credentials.
    var credential: Credential?
    /// Where the browser profile goes.
    var profile: URL
    /// Longest a page may take.
    var timeout: Double = 45

    /// The URL of `path` (with the credential, if any).
    func url(_ path: String) -> String {
        guard let credential, let scheme = baseURL.range(of: "://") else { return baseURL + path }
        let allowed = CharacterSet.alphanumerics
        let user = credential.user.addingPercentEncoding(withAllowedCharacters: allowed) ?? credential.user
        let password = credential.password.addingPercentEncoding(withAllowedCharacters: allowed) ?? credential.password
        return baseURL.replacingCharacters(in: scheme, with: "://\(user):\(password)@") + path
    }

    /// The page's DOM as serialised by the browser after loading.
    func dom(_ path: String) throws -> String {
        let (status, output) = try run(["--dump-dom", url(path)])
        guard status == 0, output.contains("<html") else {
            throw TestFailure("chromium --dump-dom \(path) exited \(status):\n\(output.suffix(2000))")
        }
        return output
    }

    /// Saves a PNG of the page (for looking at the charts while developing).
    func screenshot(_ path: String, to file: URL, width: Int = 1600, height: Int = 1000) throws {
        let (status, output) = try run(["--window-size=\(width),\(height)", "--screenshot=\(file.path)", url(path)])
        guard status == 0 else { throw TestFailure("chromium --screenshot exited \(status):\n\(output.suffix(2000))") }
    }

    private func run(_ arguments: [String]) throws -> (Int32, String) {
        guard let chromium = Self.chromiumPath else { throw TestFailure("chromium is not installed; run make setup") }
        let out = profile.appendingPathComponent("out-\(UUID().uuidString.prefix(8)).html")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        // --no-sandbox: the tests may run as root (CI containers), where Chromium's sandbox refuses to start.
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                             "--user-data-dir=\(profile.appendingPathComponent("profile").path)"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let status = wait(process, seconds: timeout)
        return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }
}
