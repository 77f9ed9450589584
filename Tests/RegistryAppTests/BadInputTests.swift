import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// Every bad input gets the described status naming each field,
/// and nothing is written.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let path: String
        let body: String
        let status: HTTPResponse.Status
        let problems: [String]
    }

    static let course = "/api/v1/courses/{course}"
    static let cases: [Case] = [
        Case(
            description: "NRS 11", path: course + "/pain-scores", body: #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":11}"#,
            status: .unprocessableContent, problems: ["nrs:range"]),
        Case(
            description: "NRS -1", path: course + "/pain-scores", body: #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":-1}"#,
            status: .unprocessableContent, problems: ["nrs:range"]),
        Case(
            description: "block with NRS before 0", path: course + "/blocks",
            body:
                #"{"performedAt":"2026-02-01T09:00:00Z","side":"left","agent":"lidocaine","volumeMl":5,"nrsBefore":0,"nrsAfter":0,"assessedMinutesAfter":10}"#,
            status: .unprocessableContent, problems: ["nrsBefore:range"]),
        Case(
            description: "block assessed 3 hours after injection", path: course + "/blocks",
            body:
                #"{"performedAt":"2026-02-01T09:00:00Z","side":"left","agent":"lidocaine","volumeMl":5,"nrsBefore":8,"nrsAfter":2,"assessedMinutesAfter":180}"#,
            status: .unprocessableContent, problems: ["assessedMinutesAfter:range"]),
        Case(
            description: "unknown injectate", path: course + "/sessions",
            body: #"{"sessionOn":"2026-02-01","procedures":[{"kind":"hydrodissection","injectate":"ozone","volumeMl":10}]}"#,
            status: .unprocessableContent, problems: ["procedures[0].injectate:one_of"]),
        Case(
            description: "volume 0 mL", path: course + "/sessions",
            body: #"{"sessionOn":"2026-02-01","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":0}]}"#,
            status: .unprocessableContent, problems: ["procedures[0].volumeMl:range"]),
        Case(
            description: "volume 500 mL", path: course + "/sessions",
            body: #"{"sessionOn":"2026-02-01","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":500}]}"#,
            status: .unprocessableContent, problems: ["procedures[0].volumeMl:range"]),
        Case(
            description: "date in the future", path: course + "/events", body: #"{"kind":"discharged","occurredOn":"2026-06-16"}"#,
            status: .unprocessableContent, problems: ["occurredOn:not_in_future"]),
        Case(
            description: "a NUL character in a note", path: course + "/events",
            body: #"{"kind":"discharged","occurredOn":"2026-06-01","note":"a\u0000b"}"#,
            status: .unprocessableContent, problems: ["note:characters"]),
        Case(
            description: "session before the course started", path: course + "/sessions",
            body: #"{"sessionOn":"2026-01-09","procedures":[{"kind":"prp","volumeMl":4,"leukocytes":"poor"}]}"#,
            status: .unprocessableContent, problems: ["sessionOn:not_before_course_start"]),
        Case(
            description: "missing required fields", path: course + "/pain-scores", body: #"{"nrs":3}"#,
            status: .unprocessableContent, problems: ["recordedOn:required", "timepoint:required"]),
        Case(
            description: "course for an unknown patient", path: "/api/v1/courses",
            body:
                #"{"patientId":"00000000-0000-4000-8000-000000000000","siteId":"{site}","clinicianId":"{clinician}","side":"left","icd10":"G57.82","startedOn":"2026-02-01"}"#,
            status: .notFound, problems: []),
        Case(
            description: "100 kB of text", path: course + "/events",
            body: #"{"kind":"discharged","occurredOn":"2026-02-01","note":""# + String(repeating: "a", count: 100_000) + #""}"#,
            status: .unprocessableContent, problems: ["note:max_length"]),
        Case(
            description: "duplicate MRN at one site", path: "/api/v1/patients",
            body: #"{"siteId":"{site}","mrn":"MRN-1","familyName":"X","givenName":"Y","dateOfBirth":"1980-01-01","sex":"male"}"#,
            status: .conflict, problems: ["mrn:unique"]),
        Case(
            description: "malformed JSON", path: course + "/pain-scores", body: #"{"recordedOn": "2026-02-01", "nrs": "#,
            status: .badRequest, problems: []),
        Case(description: "a JSON array instead of an object", path: "/api/v1/patients", body: "[1,2]", status: .badRequest, problems: []),
        Case(
            description: "a string where a number belongs", path: course + "/pain-scores",
            body: #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":"seven"}"#,
            status: .unprocessableContent, problems: ["nrs:type"]),
        Case(
            description: "clinician id naming a manager", path: "/api/v1/courses",
            body: #"{"patientId":"{patient}","siteId":"{site}","clinicianId":"{manager}","side":"left","icd10":"G57.82","startedOn":"2026-02-01"}"#,
            status: .unprocessableContent, problems: ["clinicianId:role"]),
        Case(
            description: "unknown course", path: "/api/v1/courses/00000000-0000-4000-8000-000000000000/pain-scores",
            body: #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":3}"#, status: .notFound, problems: []),
    ]

    @Test(arguments: cases)
    func isRefusedWithTheFieldNamedAndNothingWritten(_ bad: Case) async throws {
        try await APIHarness.run { h, client async throws in
            let f = h.fixture
            func fill(_ text: String) -> String {
                text.replacingOccurrences(of: "{course}", with: f.courseId.uuidString).replacingOccurrences(of: "{site}", with: f.siteId.uuidString)
                    .replacingOccurrences(of: "{clinician}", with: f.clinicianId.uuidString).replacingOccurrences(
                        of: "{patient}", with: f.patientId.uuidString
                    )
                    .replacingOccurrences(of: "{manager}", with: f.managerId.uuidString)
            }
            let before = try await h.rowCounts()
            let reply = try await client.post(
                fill(bad.path), fill(bad.body), key: "key-" + bad.description.replacingOccurrences(of: " ", with: "-"), token: h.clinician)
            #expect(reply.status == bad.status, "\(reply.text)")
            #expect(reply.problems == bad.problems)
            #expect(reply.json["message"] is String)
            #expect(try await h.rowCounts() == before)
        }
    }

    @Test func anOversizedBodyIs413() async throws {
        try await APIHarness.run { h, client async throws in
            let huge = #"{"note":""# + String(repeating: "a", count: 2_000_000) + #""}"#
            let reply = try await client.post("/api/v1/courses/\(h.fixture.courseId)/events", huge, token: h.clinician)
            #expect(reply.status == .contentTooLarge)
        }
    }
}
