import Foundation
public import Hummingbird

/// Which role a request needs, from its method and path alone (so routes other parts add are
/// protected without code of their own): nil for the open monitoring and login routes; `admin`
/// under `/api/admin/` and `/console/admin/`; `editor` for writes; `viewer` for reads.
public enum AdminAccessRule {
    /// Paths anyone may reach: monitoring and the login form.
    public static let openPaths: Set<String> = ["/health", "/ready", "/metrics", "/login", "/logout"]

    /// The role `method` on `path` needs, nil when open. A path that does not normalise (a `..`
    /// segment, bad percent-encoding) needs `admin`, the strictest.
    public static func requiredRole(method: HTTPRequest.Method, path: String) -> AdminIdentity.Role? {
        guard let segments = normalisedSegments(path) else { return .admin }
        let normalised = "/" + segments.joined(separator: "/")
        if openPaths.contains(normalised) { return nil }
        if segments.count >= 2, ["api", "console"].contains(segments[0]), segments[1] == "admin" { return .admin }
        switch method {
        case .get, .head: return .viewer
        default: return .editor
        }
    }

    /// The path's segments, percent-decoded and lower-cased, without empty and `.` ones; nil
    /// with a `..` or undecodable segment.
    static func normalisedSegments(_ path: String) -> [String]? {
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = String(raw).removingPercentEncoding?.lowercased() else { return nil }
            if decoded == "." { continue }
            if decoded == ".." || decoded.contains("/") { return nil }
            segments.append(decoded)
        }
        return segments
    }
}
