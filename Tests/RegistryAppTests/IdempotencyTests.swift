import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTestSupport
import Testing

@Suite struct IdempotencyTests {
    @Test func aRetryWithTheSameKeyAndBodyReturnsTheFirstResponseAndWritesNothing() async throws {
        try await APIHarness.run { h, client async throws in
            let path = "/api/v1/courses/\(h.fixture.courseId)/sessions"
            let body = #"{"sessionOn":"2026-02-01","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}"#
            let first = try await client.post(path, body, key: "visit-42", token: h.clinician)
            #expect(first.status == .created)
            let counts = try await h.rowCounts()
            let retry = try await client.post(path, body, key: "visit-42", token: h.clinician)
            #expect(retry.status == .created)
            #expect(retry.body == first.body)
            #expect(try await h.rowCounts() == counts)
        }
    }

    @Test func theSameKeyWithAnotherBodyIs422AndWritesNothing() async throws {
        try await APIHarness.run { h, client async throws in
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores"
            #expect(
                try await client.post(path, #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":3}"#, key: "k", token: h.clinician).status
                    == .created)
            let counts = try await h.rowCounts()
            let other = try await client.post(path, #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":4}"#, key: "k", token: h.clinician)
            #expect(other.status == .unprocessableContent)
            #expect(other.problems == ["Idempotency-Key:reused"])
            #expect(try await h.rowCounts() == counts)
        }
    }

    @Test func withoutAKeyEveryPostWrites() async throws {
        try await APIHarness.run { h, client async throws in
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores"
            let body = #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":3}"#
            _ = try await client.post(path, body, token: h.clinician)
            _ = try await client.post(path, body, token: h.clinician)
            #expect(try await h.rowCounts()["pain_scores"] == 2)
        }
    }

    @Test func aRefusedRequestDoesNotUseUpItsKey() async throws {
        try await APIHarness.run { h, client async throws in
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores"
            let refused = try await client.post(
                path, #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":30}"#, key: "fix-me", token: h.clinician)
            #expect(refused.status == .unprocessableContent)
            // The refusal rolled the key back with everything else, so the corrected request writes.
            let corrected = try await client.post(
                path, #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":3}"#, key: "fix-me", token: h.clinician)
            #expect(corrected.status == .created)
        }
    }
}
