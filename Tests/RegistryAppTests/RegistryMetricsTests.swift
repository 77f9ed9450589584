import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryTestSupport
import Testing

/// `GET /metrics`: Prometheus text with requests by route pattern and status, writes by kind,
/// idempotent replays and sign-in failures; `promtool check metrics` accepts it when installed.
@Suite struct RegistryMetricsTests {
    @Test func metricsCountRequestsWritesReplaysAndFailedSignIns() async throws {
        try await APIHarness.run { h, client async throws in
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores"
            let body = #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":4}"#
            #expect(try await client.post(path, body, key: "metrics-1", token: h.clinician).status == .created)
            #expect(try await client.post(path, body, key: "metrics-1", token: h.clinician).status == .created)
            #expect(try await client.get("/api/v1/courses/\(UUID())", token: h.clinician).status == .notFound)
            _ = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"username":"nobody","password":"not a password at all"}"#))
            let reply = try await client.execute(uri: "/metrics", method: .get)
            #expect(reply.status == .ok)
            let text = String(buffer: reply.body)
            #expect(text.contains(#"registry_writes_total{kind="pain-scores"} 1"#), "\(text)")
            #expect(text.contains(#"registry_idempotent_replays_total{kind="pain-scores"} 1"#))
            #expect(text.contains(#"registry_http_requests_total{route="/api/v1/courses/{id}/pain-scores",method="POST",status="201"} 2"#))
            #expect(text.contains(#"route="/api/v1/courses/{id}",method="GET",status="404"} 1"#))
            #expect(text.contains(#"registry_sign_in_failures_total{reason="wrong_credentials"} 1"#))
            #expect(text.contains("registry_http_request_duration_seconds_bucket") && text.contains("registry_db_pool_wait_seconds_count"))
            let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile(atPath:))
            // CI (REGISTRY_TEST_REQUIRE_TOOLS=1) installs it; elsewhere the check runs when it is there.
            #expect(promtool != nil || !ExternalTools.required, "promtool is not installed")
            if let promtool {
                let check = try await Subprocess.run(promtool, ["check", "metrics"], input: text, mergingErrors: true)
                #expect(check.status == 0, "promtool: \(check.output)")
            }
        }
    }

    @Test func aPublicBindDoesNotServeMetricsUnlessConfigured() async throws {
        try await APIHarness.run(configure: { $0.server.host = "0.0.0.0" }) { _, client async throws in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .notFound)
        }
        try await APIHarness.run(configure: {
            $0.server.host = "0.0.0.0"
            $0.server.publicMetrics = true
        }) { _, client async throws in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
        }
    }
}
