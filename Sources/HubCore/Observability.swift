import Logging
import Metrics
import Prometheus

/// Process-wide metrics: swift-metrics backed by a Prometheus registry.
///
/// Labels and dimensions are message types, service names and error codes only —
/// never anything from a payload, so no personal data can reach /metrics.
public enum HubMetrics {
    /// The registry every component's `/metrics` (or `broker.metrics`) emits.
    public static let registry = PrometheusCollectorRegistry()

    /// Installs the Prometheus backend once per process; later calls do nothing.
    public static func bootstrap() {
        _ = bootstrapOnce
    }
    private static let bootstrapOnce: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// The Prometheus text exposition of this process's metrics.
    public static func exposition() -> String { registry.emitToString() }
}

/// Logging set-up shared by every process: one JSON-free, key=value line per event on
/// stderr. Metadata keys are namespaced `hub.*`; payloads are never logged.
public enum HubLogging {
    public static func bootstrap(level: Logger.Level = .info) {
        _ = once
        currentLevel.withLockedValue { $0 = level }
    }
    private static let currentLevel = LockedLevel()
    private static let once: Void = {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = currentLevel.withLockedValue { $0 }
            return h
        }
    }()
}

import Synchronization
final class LockedLevel: Sendable {
    private let m = Mutex<Logger.Level>(.info)
    func withLockedValue<T>(_ body: (inout Logger.Level) -> T) -> T { m.withLock { body(&$0) } }
}
