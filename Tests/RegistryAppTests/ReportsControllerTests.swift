import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// Courses logged through the API come back in the outcome report.
@Suite struct ReportsControllerTests {
    /// Logs one course through the API: baseline 8, hydrodissection sessions three weeks apart,
    /// a follow-up of `improvedTo` two weeks after the last, and optional later follow-ups.
    func logCourse(
        _ client: some TestClientProtocol, _ h: APIHarness, mrn: String, sessions: Int, improvedTo: Int,
        later: [(Int, Int)] = []
    ) async throws {
        let f = h.fixture
        let patient = try await client.post(
            "/api/v1/patients",
            """
            {"siteId":"\(f.siteId)","mrn":"\(mrn)","familyName":"F","givenName":"G","dateOfBirth":"1970-01-01","sex":"male"}
            """, token: h.clinician)
        let patientId = try #require(patient.json["id"] as? String)
        let course = try await client.post(
            "/api/v1/courses",
            """
            {"patientId":"\(patientId)","siteId":"\(f.siteId)","clinicianId":"\(f.clinicianId)","side":"right","icd10":"G57.81","startedOn":"2025-01-06"}
            """, token: h.clinician)
        let id = try #require(course.json["id"] as? String)
        let start = try #require(ISO8601DateFormatter().date(from: "2025-01-06T00:00:00Z"))
        func day(_ offset: Int) -> String { String(ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(offset) * 86400)).prefix(10)) }
        #expect(
            try await client.post(
                "/api/v1/courses/\(id)/pain-scores", #"{"recordedOn":"2025-01-06","timepoint":"baseline","nrs":8}"#, token: h.clinician
            ).status == .created)
        #expect(
            try await client.post(
                "/api/v1/courses/\(id)/blocks",
                """
                {"performedAt":"2025-01-06T09:00:00Z","side":"right","agent":"lidocaine","volumeMl":5,"nrsBefore":8,"nrsAfter":2,"assessedMinutesAfter":15}
                """, token: h.clinician
            ).status == .created)
        for session in 0..<sessions {
            #expect(
                try await client.post(
                    "/api/v1/courses/\(id)/sessions",
                    """
                    {"sessionOn":"\(day(21 * session))","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}
                    """, token: h.clinician
                ).status == .created)
        }
        let t0 = 21 * (sessions - 1) + 14
        _ = try await client.post(
            "/api/v1/courses/\(id)/pain-scores", #"{"recordedOn":"\#(day(t0))","timepoint":"follow_up","nrs":\#(improvedTo)}"#, token: h.clinician)
        for (offset, nrs) in later {
            _ = try await client.post(
                "/api/v1/courses/\(id)/pain-scores", #"{"recordedOn":"\#(day(t0 + offset))","timepoint":"follow_up","nrs":\#(nrs)}"#,
                token: h.clinician)
        }
    }

    @Test func coursesLoggedThroughTheAPIAppearInTheReport() async throws {
        try await APIHarness.run(.live) { h, client async throws in
            try await logCourse(client, h, mrn: "R-1", sessions: 1, improvedTo: 2, later: [(120, 7), (150, 8)])
            try await logCourse(client, h, mrn: "R-2", sessions: 2, improvedTo: 3, later: [(200, 3)])
            try await logCourse(client, h, mrn: "R-3", sessions: 4, improvedTo: 2, later: [(100, 2)])
            try await logCourse(client, h, mrn: "R-4", sessions: 3, improvedTo: 7)

            let reply = try await client.get("/api/v1/reports/outcomes", token: h.tokens["manager"])
            #expect(reply.status == .ok)
            let report = reply.json
            // The fixture's own course has no session: not evaluable.
            #expect(report["courses"] as? Int == 5)
            #expect(report["evaluable"] as? Int == 4)
            let response = try #require(report["response"] as? [String: Any])
            #expect(response["successes"] as? Int == 3 && response["total"] as? Int == 4)
            let cohorts = try #require(report["cohorts"] as? [[String: Any]])
            let early = try #require(cohorts.first { $0["label"] as? String == "1-2" })
            #expect(early["courses"] as? Int == 2)
            #expect((early["recurrence"] as? [String: Any])?["recurred"] as? Int == 1)
            #expect(cohorts.first { $0["label"] as? String == "3-5" }?["courses"] as? Int == 1)
            #expect(cohorts.first { $0["label"] as? String == "not improved" }?["courses"] as? Int == 1)
            #expect((report["thresholds"] as? [String: Any])?["baseline"] != nil)
            #expect((report["interpretation"] as? String)?.contains("associations") == true)
            let predictors = try #require(report["whoNeedsMoreSessions"] as? [String: Any])
            #expect(predictors["courses"] as? Int == 4)
            #expect((predictors["characteristics"] as? [[String: Any]])?.count == 8)
            #expect(((predictors["model"] as? [String: Any])?["fit"] as? [String: Any])?["n"] != nil)
            #expect(((report["methods"] as? [String: Any])?["cox"] as? String)?.contains("Efron") == true)

            let filtered = try await client.get("/api/v1/reports/outcomes?side=left", token: h.tokens["manager"])
            #expect(filtered.json["courses"] as? Int == 1)
            let bad = try await client.get("/api/v1/reports/outcomes?from=yesterday&injectate=water", token: h.tokens["manager"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.problems == ["from:date", "injectate:one_of"])
        }
    }
}
