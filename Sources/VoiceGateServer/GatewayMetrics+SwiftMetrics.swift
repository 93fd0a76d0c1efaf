import Metrics
import Prometheus

extension GatewayMetrics {
    /// Makes swift-metrics (the `MetricsSystem` libraries report through) write into this
    /// registry, so their metrics appear at `/metrics` beside the gateway's own. Process-wide
    /// and allowed once per process: `voicegate serve` calls it at start; in-process tests do
    /// not (each keeps its own registry).
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}
