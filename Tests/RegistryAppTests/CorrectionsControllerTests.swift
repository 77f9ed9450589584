import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Corrections with If-Match, voids with a reason, and their audit rows.
@Suite struct CorrectionsControllerTests {
    func ifMatch(_ version: Int) -> [HTTPField.Name: String] { [.ifMatch: "\"\(version)\""] }

    func logScore(_ client: some TestClientProtocol, _ h: APIHarness, nrs: Int = 6) async throws -> String {
        let reply = try await client.post(
            "/api/v1/courses/\(h.fixture.courseId)/pain-scores",
            #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":\#(nrs)}"#, token: h.clinician)
        return try #require(reply.json["id"] as? String)
    }

    func auditRows(_ h: APIHarness, record: String) async throws -> [[String: Any]] {
        let entries = try await AuditRepository(database: h.database).entries(AuditQuery(recordId: UUID(uuidString: record)), identities: true)
        return entries.map(\.json)
    }

    @Test func aCorrectionChangesTheFieldBumpsTheVersionAndAuditsBeforeAndAfter() async throws {
        try await APIHarness.run { h, client async throws in
            let id = try await logScore(client, h)
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores/\(id)"
            let corrected = try await client.send(.patch, path, #"{"nrs":5,"odi":30}"#, token: h.clinician, extra: ifMatch(1))
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(corrected.json["nrs"] as? Int == 5 && corrected.json["odi"] as? Int == 30 && corrected.json["version"] as? Int == 2)
            let audit = try await auditRows(h, record: id)
            let correction = try #require(audit.first { $0["action"] as? String == "correct" })
            #expect((correction["before"] as? [String: Any])?["nrs"] as? Int == 6)
            #expect((correction["after"] as? [String: Any])?["nrs"] as? Int == 5)
            #expect(correction["actor"] as? String == "dr.test")
            #expect(audit.contains { $0["action"] as? String == "create" })
        }
    }

    @Test func aStaleVersionIs412AndWritesNothing() async throws {
        try await APIHarness.run { h, client async throws in
            let id = try await logScore(client, h)
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores/\(id)"
            #expect(try await client.send(.patch, path, #"{"nrs":5}"#, token: h.clinician, extra: ifMatch(1)).status == .ok)
            let counts = try await h.rowCounts()
            let stale = try await client.send(.patch, path, #"{"nrs":2}"#, token: h.clinician, extra: ifMatch(1))
            #expect(stale.status == .preconditionFailed)
            #expect(try await h.rowCounts() == counts)
            let timeline = try await client.get("/api/v1/courses/\(h.fixture.courseId)", token: h.clinician)
            #expect((timeline.json["painScores"] as? [[String: Any]])?.first?["nrs"] as? Int == 5)
            #expect(try await client.send(.patch, path, #"{"nrs":2}"#, token: h.clinician).status == .preconditionRequired)
        }
    }

    @Test func aCorrectionMustPassEveryRuleANewRecordPasses() async throws {
        try await APIHarness.run { h, client async throws in
            let id = try await logScore(client, h)
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores/\(id)"
            let bad = try await client.send(
                .patch, path, #"{"nrs":11,"recordedOn":"2025-01-01","courseId":"x"}"#, token: h.clinician, extra: ifMatch(1))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.problems == ["courseId:not_correctable"])
            let invalid = try await client.send(.patch, path, #"{"nrs":11,"recordedOn":"2025-01-01"}"#, token: h.clinician, extra: ifMatch(1))
            #expect(Set(invalid.problems) == ["nrs:range", "recordedOn:not_before_course_start"])
        }
    }

    @Test func aVoidNeedsAReasonStaysVisibleAndLeavesTheAnalysis() async throws {
        try await APIHarness.run { h, client async throws in
            let session = try await client.post(
                "/api/v1/courses/\(h.fixture.courseId)/sessions",
                #"{"sessionOn":"2026-01-12","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}"#,
                token: h.clinician)
            let id = try #require(session.json["id"] as? String)
            let path = "/api/v1/courses/\(h.fixture.courseId)/sessions/\(id)/void"
            #expect(try await client.send(.post, path, #"{}"#, token: h.clinician, extra: ifMatch(1)).problems == ["reason:required"])
            let voided = try await client.send(.post, path, #"{"reason":"logged on the wrong course"}"#, token: h.clinician, extra: ifMatch(1))
            #expect(voided.status == .ok)
            // The same shape as the timeline shows: the void with its reason, the version bumped.
            #expect((voided.json["void"] as? [String: Any])?["reason"] as? String == "logged on the wrong course")
            #expect(voided.json["version"] as? Int == 2 && voided.json["voidReason"] == nil)
            let timeline = try await client.get("/api/v1/courses/\(h.fixture.courseId)", token: h.clinician)
            let shown = try #require((timeline.json["sessions"] as? [[String: Any]])?.first)
            #expect((shown["void"] as? [String: Any])?["reason"] as? String == "logged on the wrong course")
            let report = try await client.get("/api/v1/reports/outcomes", token: h.tokens["manager"])
            #expect((report.json["notEvaluable"] as? [String: Int])?["no_sessions"] == 1)
            #expect(try await auditRows(h, record: id).contains { $0["action"] as? String == "void" })
            // A voided record is not corrected further.
            let again = try await client.send(
                .patch, "/api/v1/courses/\(h.fixture.courseId)/sessions/\(id)", #"{"notes":"x"}"#,
                token: h.clinician, extra: ifMatch(2))
            #expect(again.status == .conflict)
        }
    }

    @Test func findingsAreCorrectedWithinTheirSection() async throws {
        try await APIHarness.run { h, client async throws in
            let created = try await client.post(
                "/api/v1/courses/\(h.fixture.courseId)/findings",
                """
                {"recordedOn":"2026-01-12","ultrasound":{"nerveCsaMm2":3.2,"flattening":true,"restrictedGliding":false,"fasciaAdhesion":true,"tunnelNarrowing":false}}
                """, token: h.clinician)
            let id = try #require(((created.json["ultrasound"] as? [[String: Any]])?.first?["id"]) as? String)
            let reply = try await client.send(
                .patch, "/api/v1/courses/\(h.fixture.courseId)/findings/\(id)", #"{"ultrasound":{"nerveCsaMm2":4.75}}"#,
                token: h.clinician, extra: ifMatch(1))
            #expect(reply.status == .ok, "\(reply.text)")
            let values = try #require(reply.json["values"] as? [String: Any])
            #expect(values["nerveCsaMm2"] as? Double == 4.75 && values["flattening"] as? Bool == true && reply.json["nerveCsaMm2"] == nil)
            // A name that is not one of the section's fields is refused by name and never reaches SQL (the fuzzer's 500).
            let counts = try await h.rowCounts()
            for unknown in [#"{"ultrasound":{"âÅ":true}}"#, #"{"ultrasound":{"nerve_csa_mm2":5}}"#, #"{"ultrasound":{"id":"x"}}"#] {
                let refused = try await client.send(
                    .patch, "/api/v1/courses/\(h.fixture.courseId)/findings/\(id)", unknown, token: h.clinician, extra: ifMatch(2))
                #expect(refused.status == .unprocessableContent, "\(unknown): \(refused.text)")
                #expect(
                    refused.problems.count == 1 && refused.problems.first?.hasPrefix("ultrasound.") == true
                        && refused.problems.first?.hasSuffix(":not_correctable") == true,
                    "\(refused.problems)")
            }
            #expect(try await h.rowCounts() == counts)
        }
    }

    @Test func managersAndOtherSitesCannotCorrect() async throws {
        try await APIHarness.run { h, client async throws in
            let id = try await logScore(client, h)
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores/\(id)"
            #expect(try await client.send(.patch, path, #"{"nrs":5}"#, token: h.tokens["manager"], extra: ifMatch(1)).status == .forbidden)
            #expect(try await client.send(.patch, path, #"{"nrs":5}"#, token: h.tokens["other"], extra: ifMatch(1)).status == .notFound)
        }
    }
}
