public import Hummingbird
public import Logging
import ServiceLifecycle

/// The gateway's admin HTTP side (Hummingbird 2) on the SIP bind address: `GET /health` (the
/// process runs) and `GET /ready` (taking calls), for load balancers, systemd watchdogs and
/// Kubernetes probes. Other parts add their routes (metrics, call records API ...) with
/// `addRoutes` before `run`, so this file does not grow with each of them.
public struct AdminHTTPServer: Sendable {
    /// The request context every route gets.
    public typealias Context = AdminRequestContext
    /// Something that adds routes to the router (called once, before the server starts).
    public typealias RouteInstaller = @Sendable (Router<Context>) -> Void

    /// Address to listen on.
    public var host: String
    /// TCP port; 0: any free port (reported by `run`'s `onListening`).
    public var port: Int
    /// The phase `/ready` reports.
    public let readiness: ServiceReadiness
    /// Where Hummingbird logs.
    public var logger: Logger
    /// Authentication (AdminAuthMiddleware, `/login`, `/logout`); nil: none (tests of routes only).
    public var authentication: AdminAuth?
    private var installers: [RouteInstaller] = []

    /// A server with `/health` and `/ready`; see the properties.
    public init(host: String, port: Int, readiness: ServiceReadiness, logger: Logger) {
        self.host = host
        self.port = port
        self.readiness = readiness
        self.logger = logger
    }

    /// Adds routes (e.g. `router.get("/metrics") { ... }`); the installers run in order at `run`.
    public mutating func addRoutes(_ installer: @escaping RouteInstaller) {
        installers.append(installer)
    }

    /// A JSON response with `status`.
    public static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body + "\n")))
    }

    /// The router with the built-in routes and every added one.
    public func makeRouter() -> Router<Context> {
        let router = Router(context: Context.self)
        // First, so it wraps every route added below and the not-found answer too.
        if let authentication {
            router.add(middleware: AdminAuthMiddleware(authentication))
            AdminLoginRoutes.install(on: router, auth: authentication)
        }
        router.get("/health") { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }
        router.get("/ready") { [readiness] _, _ in
            let phase = await readiness.phase
            return Self.json(phase == .ready ? .ok : .serviceUnavailable, #"{"status":"\#(phase.rawValue)"}"#)
        }
        for install in installers { install(router) }
        return router
    }

    /// Serves until `shutdown` finishes, then shuts down gracefully (open requests complete).
    /// Throws when the port cannot be bound.
    /// - Parameter onListening: called with the bound port once the socket listens.
    public func run(until shutdown: AsyncStream<Void>, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let requested = port
        let app = Application(router: makeRouter(),
                              configuration: .init(address: .hostname(host, port: port), serverName: "VoiceGate"),
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? requested) },
                              logger: logger)
        // A group of its own without signal handlers: the gateway owns SIGTERM (it drains first).
        let group = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { [host, port] in
                do { try await group.run() } catch { throw AdminHTTPError(host: host, port: port, problem: "\(error)") }
            }
            tasks.addTask {
                for await _ in shutdown {}
                await group.triggerGracefulShutdown()
            }
            try await tasks.next()  // a bind failure throws here and cancels the waiter
            try await tasks.waitForAll()
        }
    }
}

/// The admin HTTP server failed (usually: its port is in use).
public struct AdminHTTPError: Error, CustomStringConvertible {
    /// The address it was to listen on.
    public var host: String
    /// The port it was to listen on.
    public var port: Int
    /// What went wrong.
    public var problem: String

    /// One line for the operator.
    public var description: String { "admin http on tcp \(host):\(port): \(problem) (set http.port or --http-port; 0: any free port)" }
}
