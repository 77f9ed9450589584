import Foundation
import Hummingbird
import Prometheus
import RegistryStore

/// The registry's metrics in Prometheus text at `GET /metrics`: requests by route and status with
/// latency histograms, connection-pool waits, writes by kind, idempotent replays, export rows and
/// bytes, sign-in failures. Each application keeps its own swift-prometheus registry, so nothing
/// is bootstrapped globally (tests build many applications), and every family carries the HELP
/// text `promtool check metrics` asks for.
struct RegistryMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    func request(route: String, method: String, status: Int, duration: Duration) {
        counter(
            "registry_http_requests_total", "HTTP requests by route pattern, method and status",
            [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.describe("registry_http_request_duration_seconds", "Time to the response head by route pattern"),
            labels: [("route", route), ("method", method)], buckets: Self.buckets
        ).record(duration)
    }

    func poolWait(_ duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.describe("registry_db_pool_wait_seconds", "Time waited for a pooled database connection"),
            labels: [], buckets: Self.buckets
        ).record(duration)
    }

    func write(kind: String, replayed: Bool) {
        if replayed {
            counter("registry_idempotent_replays_total", "Retried writes answered with their first response", [("kind", kind)]).increment()
        } else {
            counter("registry_writes_total", "Records written, by kind", [("kind", kind)]).increment()
        }
    }

    func exported(rows: Int, bytes: Int) {
        counter("registry_export_rows_total", "Rows sent in research exports", []).increment(by: Int64(rows))
        counter("registry_export_bytes_total", "Bytes sent in research exports", []).increment(by: Int64(bytes))
    }

    func signInFailure(_ reason: String) {
        counter("registry_sign_in_failures_total", "Refused sign-ins, by reason", [("reason", reason)]).increment()
    }

    func requestOutOfTime() {
        counter("registry_requests_out_of_time_total", "Requests answered 503 because they outlived their bound", []).increment()
    }

    /// A client error, counted apart so that slow or broken clients are not read as a database fault.
    func bodyTimeout() {
        counter("registry_request_body_timeouts_total", "Requests answered 408 because their body did not arrive in time", []).increment()
    }

    /// A report's or export's read: from the replica, or from the primary (and why, when a replica is configured).
    func read(_ choice: ReadSource.Choice) {
        counter(
            "registry_analysis_reads_total", "Reports, dashboards and exports by the database they read and why the primary when a replica is set",
            [("source", choice.source.rawValue), ("fallback", choice.fallback ?? "")]
        ).increment()
        if let lag = choice.lagSeconds {
            registry.makeGauge(
                descriptor: Self.describe("registry_replica_lag_seconds", "How far the read replica was behind at its last check"), labels: []
            )
            .set(lag)
        }
    }

    var text: String { registry.emitToString() }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: Self.describe(name, help), labels: labels)
    }

    private static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

/// Counts every request by its route pattern (not its path, so ids do not explode the series)
/// and status, with its latency to the response head (a streamed export's rows and bytes are
/// counted apart).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RegistryMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func record(_ status: Int) {
            metrics.request(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status, duration: ContinuousClock.now - start)
        }
        do {
            let response = try await next(request, context)
            record(response.status.code)
            return response
        } catch {
            record((error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}
