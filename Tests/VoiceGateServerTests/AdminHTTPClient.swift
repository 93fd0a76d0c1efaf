import Foundation
import Glibc

/// One HTTP/1.1 exchange with 127.0.0.1:`port` over a plain TCP socket (Connection: close):
/// status, raw header block and body, or nil when nothing answers within `timeout` seconds.
/// The answer ends at its `Content-Length`, or when the server closes the connection.
func httpRequest(port: Int, method: String = "GET", path: String, headers: [String: String] = [:],
                 body: String = "", timeout seconds: Int = 3) -> (status: Int, headers: String, body: String)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.utf8.count)\r\n" }
    let request = Array((head + "\r\n" + body).utf8)
    guard send(fd, request, request.count, 0) == request.count else { return nil }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    let separator: [UInt8] = Array("\r\n\r\n".utf8)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { break }
        received += buffer.prefix(n)
        // Complete once the header block and Content-Length bytes of body are in: a server may
        // keep the connection open (chromedriver does after a POST) despite `Connection: close`.
        guard let split = received.indices.dropLast(3).first(where: { Array(received[$0..<$0 + 4]) == separator }) else { continue }
        let header = String(decoding: received[..<split], as: UTF8.self).lowercased()
        if let line = header.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
           let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)),
           received.count - (split + 4) >= length { break }
    }
    let text = String(decoding: received, as: UTF8.self)
    guard text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)),
          let split = text.range(of: "\r\n\r\n") else { return nil }
    return (status, String(text[..<split.lowerBound]), String(text[split.upperBound...]))
}

/// `Authorization: Basic` for `name` and `password`.
func basic(_ name: String, _ password: String) -> [String: String] {
    ["Authorization": "Basic " + Data("\(name):\(password)".utf8).base64EncodedString()]
}

/// `Authorization: Bearer` for `token`.
func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

/// `httpRequest` on a Dispatch thread: for tests whose server runs in the same process, so the
/// blocking socket calls never hold a cooperative-pool thread the server's handlers need. The
/// limit is long (30 s): while the whole suite runs, other tests' blocking waits can hold the
/// pool's threads (two on a 2-core machine) for seconds, and the handlers wait for them.
func httpRequestOffPool(port: Int, method: String = "GET", path: String, headers: [String: String] = [:],
                        body: String = "") async -> (status: Int, headers: String, body: String)? {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(returning: httpRequest(port: port, method: method, path: path, headers: headers, body: body,
                                                     timeout: 30))
        }
    }
}
