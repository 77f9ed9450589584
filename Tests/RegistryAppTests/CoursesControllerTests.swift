import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// The course API's walk-through: patient, course, block, three sessions with scores, and
/// the whole timeline read back.
@Suite struct CoursesControllerTests {
    @Test func aWholeCourseIsLoggedAndReadBackAsOneTimeline() async throws {
        try await APIHarness.run { h, client async throws in
            let f = h.fixture
            let patient = try await client.post(
                "/api/v1/patients",
                """
                {"siteId":"\(f.siteId)","mrn":"A-77","familyName":"Ødegård","givenName":"Åse","dateOfBirth":"1961-04-30","sex":"female"}
                """, token: h.clinician)
            #expect(patient.status == .created)
            let patientId = try #require(patient.json["id"] as? String)
            let course = try await client.post(
                "/api/v1/courses",
                """
                {"patientId":"\(patientId)","siteId":"\(f.siteId)","clinicianId":"\(f.clinicianId)","side":"left","icd10":"G57.82","startedOn":"2026-03-02"}
                """, token: h.clinician)
            #expect(course.status == .created)
            let courseId = try #require(course.json["id"] as? String)
            let block = try await client.post(
                "/api/v1/courses/\(courseId)/blocks",
                """
                {"performedAt":"2026-03-02T09:30:00Z","side":"left","agent":"lidocaine","volumeMl":5,"nrsBefore":8,"nrsAfter":3,"assessedMinutesAfter":10}
                """, token: h.clinician)
            #expect(block.status == .created)
            #expect(block.json["reliefPercent"] as? Double == 62.5)
            #expect(block.json["positive"] as? Bool == true)
            for (day, nrs) in [("2026-03-09", 8), ("2026-03-30", 6), ("2026-04-20", 4)] {
                let session = try await client.post(
                    "/api/v1/courses/\(courseId)/sessions",
                    """
                    {"sessionOn":"\(day)","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}
                    """, token: h.clinician)
                #expect(session.status == .created)
                let score = try await client.post(
                    "/api/v1/courses/\(courseId)/pain-scores",
                    """
                    {"recordedOn":"\(day)","timepoint":"pre_procedure","nrs":\(nrs)}
                    """, token: h.clinician)
                #expect(score.status == .created)
            }
            #expect(
                try await client.post("/api/v1/courses/\(courseId)/events", #"{"kind":"discharged","occurredOn":"2026-05-20"}"#, token: h.clinician)
                    .status == .created)
            #expect(
                try await client.post(
                    "/api/v1/courses/\(courseId)/findings",
                    """
                    {"recordedOn":"2026-03-02","ultrasound":{"nerveCsaMm2":3.25,"flattening":true,"restrictedGliding":true,"fasciaThicknessMm":1.4,"fasciaAdhesion":true,"tunnelNarrowing":false}}
                    """, token: h.clinician
                ).status == .created)

            let timeline = try await client.get("/api/v1/courses/\(courseId)", token: h.clinician)
            #expect(timeline.status == .ok)
            let json = timeline.json
            #expect((json["course"] as? [String: Any])?["status"] as? String == "discharged")
            let sessions = try #require(json["sessions"] as? [[String: Any]])
            #expect(sessions.map { $0["sessionOn"] as? String } == ["2026-03-09", "2026-03-30", "2026-04-20"])
            #expect(((sessions[0]["procedures"] as? [[String: Any]])?.first?["injectate"]) as? String == "d5w")
            #expect((json["painScores"] as? [[String: Any]])?.map { $0["nrs"] as? Int } == [8, 6, 4])
            #expect((json["blocks"] as? [[String: Any]])?.first?["positive"] as? Bool == true)
            let ultrasound = (json["findings"] as? [String: Any])?["ultrasound"] as? [[String: Any]]
            #expect(((ultrasound?.first?["values"]) as? [String: Any])?["nerveCsaMm2"] as? Double == 3.25)

            let detail = try await client.get("/api/v1/patients/\(patientId)", token: h.clinician)
            #expect((detail.json["patient"] as? [String: Any])?["familyName"] as? String == "Ødegård")
            #expect((detail.json["courses"] as? [Any])?.count == 1)
        }
    }

    @Test func listsPaginateWithCursors() async throws {
        try await APIHarness.run { h, client async throws in
            for index in 0..<3 {
                _ = try await client.post(
                    "/api/v1/patients",
                    """
                    {"siteId":"\(h.fixture.siteId)","mrn":"L-\(index)","familyName":"F","givenName":"G","dateOfBirth":"1970-01-01","sex":"male"}
                    """, token: h.clinician)
            }
            let first = try await client.get("/api/v1/patients?limit=2", token: h.clinician)
            #expect((first.json["items"] as? [[String: Any]])?.map { $0["mrn"] as? String } == ["L-2", "L-1"])
            let cursor = try #require(first.json["nextCursor"] as? String)
            let second = try await client.get("/api/v1/patients?limit=2&cursor=\(cursor)", token: h.clinician)
            #expect((second.json["items"] as? [[String: Any]])?.map { $0["mrn"] as? String } == ["L-0", "MRN-1"])
            #expect(second.json["nextCursor"] == nil || second.json["nextCursor"] is NSNull)
            #expect(try await client.get("/api/v1/patients?limit=0", token: h.clinician).problems == ["limit:range"])
            #expect(try await client.get("/api/v1/patients?cursor=garbage", token: h.clinician).problems == ["cursor:format"])
        }
    }

    @Test func aPatientSearchNamesABadTermInsteadOfFailing() async throws {
        try await APIHarness.run { h, client in
            let nul = try await client.get("/api/v1/patients?q=%00abc", token: h.clinician)
            #expect(nul.status == .unprocessableContent && nul.problems == ["q:characters"])
            let long = try await client.get("/api/v1/patients?q=" + String(repeating: "a", count: 101), token: h.clinician)
            #expect(long.problems == ["q:max_length"])
            let found = try await client.get("/api/v1/patients?q=mrn-1", token: h.clinician)
            #expect(found.status == .ok && (found.json["items"] as? [[String: Any]])?.first?["mrn"] as? String == "MRN-1")
        }
    }

    @Test func healthAndTheOpenAPIDocumentArePublic() async throws {
        try await APIHarness.run { _, client in
            let health = try await client.get("/healthz", token: nil)
            #expect(health.status == .ok && health.json["status"] as? String == "ok")
            let spec = try await client.get("/openapi.yaml", token: nil)
            #expect(spec.status == .ok)
            #expect(spec.text.hasPrefix("openapi: 3.1.0"))
            for path in ["/api/v1/patients:", "/api/v1/courses/{id}:", "/api/v1/courses/{id}/sessions:", "/api/v1/courses/{id}/findings:"] {
                #expect(spec.text.contains(path))
            }
        }
    }
}
