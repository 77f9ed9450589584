import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// The real server on a real port, spoken to over TCP.
@Suite struct EndToEndTests {
    @Test func theServerAnswersOverHTTPOnAPort() async throws {
        try await APIHarness.run(.live) { h, client async throws in
            #expect(client.port != nil && client.port != 0)
            #expect(try await client.get("/healthz", token: nil).status == .ok)
            let score = try await client.post(
                "/api/v1/courses/\(h.fixture.courseId)/pain-scores",
                #"{"recordedOn":"2026-02-01","timepoint":"baseline","nrs":7,"odi":40}"#, key: "e2e-1", token: h.clinician)
            #expect(score.status == .created)
            let timeline = try await client.get("/api/v1/courses/\(h.fixture.courseId)", token: h.clinician)
            #expect((timeline.json["painScores"] as? [[String: Any]])?.first?["odi"] as? Int == 40)
            #expect(try await client.get("/api/v1/courses/not-a-uuid", token: h.clinician).status == .notFound)
        }
    }
}
