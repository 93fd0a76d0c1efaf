import Hummingbird

extension AdminHTTPServer {
    /// The media type of the Prometheus text exposition format.
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Adds `GET /metrics`: `metrics` in the Prometheus text format, open like `/health`
    /// (scrapers carry no credentials; the numbers hold no caller data).
    public mutating func addMetrics(_ metrics: GatewayMetrics) {
        addRoutes { router in
            router.get("/metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: Self.prometheusContentType],
                         body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
            }
        }
    }
}
