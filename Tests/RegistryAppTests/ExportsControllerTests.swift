import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import SwiftCSV
import Testing
import ZIPFoundation

/// What researchers take away is exactly what was logged, minus every identity.
@Suite struct ExportsControllerTests {
    static let awkward = "Left, then right; \"sharp\" pain\nat night — Ødegård's café ✓"

    /// Logs sessions, scores, a block, an event and findings on the fixture course, with text that
    /// needs quoting. Returns the course's identity values to look for in the export.
    func logCourse(_ client: some TestClientProtocol, _ h: APIHarness) async throws {
        let course = h.fixture.courseId
        for (day, nrs) in [("2026-01-12", 8), ("2026-02-02", 6), ("2026-02-23", 3)] {
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/sessions",
                    """
                    {"sessionOn":"\(day)","notes":\(json(Self.awkward)),"procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10.5},{"kind":"prp","volumeMl":4,"leukocytes":"poor"}]}
                    """, token: h.clinician
                ).status == .created)
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"\#(day)","timepoint":"pre_procedure","nrs":\#(nrs),"odi":40}"#,
                    token: h.clinician
                ).status == .created)
        }
        #expect(
            try await client.post(
                "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-01-10","timepoint":"baseline","nrs":8}"#,
                token: h.clinician
            ).status == .created)
        #expect(
            try await client.post(
                "/api/v1/courses/\(course)/blocks",
                """
                {"performedAt":"2026-01-10T09:30:00Z","side":"left","agent":"lidocaine","volumeMl":5,"nrsBefore":8,"nrsAfter":3,"assessedMinutesAfter":10}
                """, token: h.clinician
            ).status == .created)
        #expect(
            try await client.post(
                "/api/v1/courses/\(course)/events", #"{"kind":"discharged","occurredOn":"2026-03-20","note":\#(json(Self.awkward))}"#,
                token: h.clinician
            ).status == .created)
        #expect(
            try await client.post(
                "/api/v1/courses/\(course)/findings",
                """
                {"recordedOn":"2026-01-10","examination":{"triggerPoint":true,"triggerPointDistanceCm":7.5,"lateralBendingPositive":true,"pelvicRotationPositive":false,"singleLegStancePositive":true,"straightLegRaisePositive":false,"strengthNormal":true,"reflexesNormal":true}}
                """, token: h.clinician
            ).status == .created)
    }

    func json(_ text: String) -> String { String(decoding: try! JSONEncoder().encode(text), as: UTF8.self) }

    func zip(_ client: some TestClientProtocol, token: String?, query: String = "") async throws -> (HTTPResponse.Status, [String: Data]) {
        let response = try await client.execute(
            uri: "/api/v1/exports.zip" + query, method: .get, headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:])
        guard response.status == .ok else { return (response.status, [:]) }
        let archive = try Archive(data: Data(buffer: response.body), accessMode: .read)
        var files: [String: Data] = [:]
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            files[entry.path] = data
        }
        return (response.status, files)
    }

    func table(_ files: [String: Data], _ name: String) throws -> [[String: String]] {
        try CSV<Named>(string: String(decoding: try #require(files[name]), as: UTF8.self)).rows
    }

    @Test func theZipHoldsEveryTableTheCodebookAndAManifestThatChecksOut() async throws {
        try await APIHarness.run(configure: { $0.export.includeNotes = true }) { h, client async throws in
            try await logCourse(client, h)
            let (status, files) = try await zip(client, token: h.tokens["researcher"])
            #expect(status == .ok)
            #expect(
                Set(files.keys) == Set(ExportTable.allCases.map(\.fileName) + ["codebook.csv", "load.R", "load.py", "reproduce.R", "manifest.json"]))

            // Exactly what was logged, quoting and all.
            let sessions = try table(files, "sessions.csv")
            #expect(sessions.count == 6)
            #expect(sessions.allSatisfy { $0["notes"] == Self.awkward })
            #expect(Set(sessions.compactMap { $0["volume_ml"].flatMap(Double.init) }) == [10.5, 4])
            #expect(try table(files, "events.csv").first?["note"] == Self.awkward)
            let blocks = try table(files, "blocks.csv")
            #expect(blocks.first?["relief_percent"] == "62.5" && blocks.first?["positive"] == "1")
            #expect(try table(files, "findings_examination.csv").first?["trigger_point_distance_cm"] == "7.5")
            let courses = try table(files, "courses.csv")
            #expect(courses.count == 1 && courses[0]["age_at_start"] == "55" && courses[0]["sex"] == "female" && courses[0]["responder"] == "1")

            // Every file hashes to what the manifest says.
            let manifest = try JSONSerialization.jsonObject(with: try #require(files["manifest.json"])) as? [String: Any]
            for file in try #require(manifest?["files"] as? [[String: Any]]) {
                let name = try #require(file["name"] as? String)
                #expect(file["sha256"] as? String == Hashing.sha256Hex(try #require(files[name])), "\(name)")
            }
            #expect((try table(files, "codebook.csv")).contains { $0["table"] == "pain_scores" && $0["column"] == "nrs" })
        }
    }

    @Test func noIdentityValueAppearsAnywhereInTheExport() async throws {
        try await APIHarness.run { h, client async throws in
            let patient = try await client.post(
                "/api/v1/patients",
                """
                {"siteId":"\(h.fixture.siteId)","mrn":"MRN-778899","familyName":"Zebedee","givenName":"Quirina","dateOfBirth":"1931-07-19","sex":"other","phone":"+41 79 555 01 23","email":"quirina@example.org"}
                """, token: h.clinician)
            let patientId = try #require(patient.json["id"] as? String)
            let course = try await client.post(
                "/api/v1/courses",
                """
                {"patientId":"\(patientId)","siteId":"\(h.fixture.siteId)","clinicianId":"\(h.fixture.clinicianId)","side":"right","icd10":"G57.81","startedOn":"2026-02-01"}
                """, token: h.clinician)
            #expect(course.status == .created)
            try await logCourse(client, h)
            let (_, files) = try await zip(client, token: h.tokens["researcher"])
            let identities = [
                "MRN-778899", "Zebedee", "Quirina", "1931-07-19", "+41 79 555 01 23", "quirina@example.org", "MRN-1", "Doe", "Jane", "1970-02-03",
                patientId.lowercased(), patientId.uppercased(), h.fixture.courseId.uuidString.lowercased(), h.fixture.courseId.uuidString,
            ]
            for (name, data) in files {
                for identity in identities { #expect(data.range(of: Data(identity.utf8)) == nil, "\(identity) in \(name)") }
            }
            // A 94-year-old is exported as 90+.
            #expect(try table(files, "courses.csv").contains { $0["age_at_start"] == "90+" })
        }
    }

    @Test func pseudonymsAreStableWithinAnExportAndDifferentAcrossTwo() async throws {
        try await APIHarness.run { h, client async throws in
            try await logCourse(client, h)
            let (_, first) = try await zip(client, token: h.tokens["researcher"])
            let (_, second) = try await zip(client, token: h.tokens["researcher"])
            let course = try #require(try table(first, "courses.csv").first?["course_id"])
            for name in ["sessions.csv", "pain_scores.csv", "blocks.csv", "events.csv", "findings_examination.csv"] {
                #expect(try table(first, name).allSatisfy { $0["course_id"] == course }, "\(name)")
            }
            #expect(try table(second, "courses.csv").first?["course_id"] != course)
        }
    }

    @Test func shiftedDatesKeepEveryIntervalAndRelativeDatesCountFromTheStart() async throws {
        try await APIHarness.run { h, client async throws in
            try await logCourse(client, h)
            let (_, files) = try await zip(client, token: h.tokens["researcher"])
            let startText = try #require(try table(files, "courses.csv").first?["start_date"])
            let start = try #require(CalendarDate(iso: startText))
            let sessionDays = Set(
                try table(files, "sessions.csv").compactMap { $0["session_date"].flatMap(CalendarDate.init(iso:)) }.map { start.days(until: $0) })
            #expect(sessionDays == [2, 23, 44])  // 2026-01-12, 02-02, 02-23 after a 2026-01-10 start
            let scoreDays = Set(
                try table(files, "pain_scores.csv").compactMap { $0["score_date"].flatMap(CalendarDate.init(iso:)) }.map { start.days(until: $0) })
            #expect(scoreDays == [0, 2, 23, 44])

            let (_, relative) = try await zip(client, token: h.tokens["researcher"], query: "?dates=relative")
            #expect(Set(try table(relative, "sessions.csv").compactMap { $0["session_day"] }) == ["2", "23", "44"])
        }
    }

    @Test func researchersAdminsAndManagersExportButCliniciansMayNot() async throws {
        try await APIHarness.run { h, client async throws in
            try await logCourse(client, h)
            #expect(try await client.get("/api/v1/exports/pain_scores.csv", token: h.clinician).status == .forbidden)
            #expect(try await zip(client, token: h.clinician).0 == .forbidden)
            for role in ["researcher", "admin", "manager"] {
                let reply = try await client.get("/api/v1/exports/pain_scores.csv", token: h.tokens[role])
                #expect(reply.status == .ok, "\(role)")
                #expect(try CSV<Named>(string: reply.text).rows.count == 4, "\(role)")
            }
            // A manager of another site sees none of this site's courses.
            var auth = try TestDatabase.config().auth
            auth.bcryptCost = 4
            _ = try await AccountRepository(database: h.database).addUser(
                username: "mgr.other", displayName: "M", role: .manager, siteCodes: ["OTHER"], password: "other manager password",
                rules: auth, actor: Fixture.actor)
            let token = try await AccountRepository(database: h.database).issueToken(
                username: "mgr.other", label: "t", days: 1, actor: Fixture.actor
            ).token
            #expect(try CSV<Named>(string: try await client.get("/api/v1/exports/pain_scores.csv", token: token).text).rows.isEmpty)
            let audit = try await AuditRepository(database: h.database).entries(AuditQuery(username: "researcher.test"), identities: true)
            // The route as the router matched it; which table, in the details.
            #expect(audit.contains { $0.action == "export" && $0.route == "GET /api/v1/exports/{file}" && $0.after?.contains("pain_scores") == true })
        }
    }

    @Test func filtersAndBadParameters() async throws {
        try await APIHarness.run { h, client async throws in
            try await logCourse(client, h)
            let researcher = h.tokens["researcher"]
            #expect(try CSV<Named>(string: try await client.get("/api/v1/exports/courses.csv?cohort=1-2", token: researcher).text).rows.count == 1)
            #expect(try CSV<Named>(string: try await client.get("/api/v1/exports/pain_scores.csv?cohort=3-5", token: researcher).text).rows.isEmpty)
            // A browser's GET form sends a space as '+' (the fuzzer found these refused).
            for cohort in ["not+evaluable", "not%20evaluable", "not+improved", "%3E5"] {
                #expect(try await client.get("/api/v1/exports/events.csv?cohort=\(cohort)", token: researcher).status == .ok, "\(cohort)")
            }
            #expect(
                try CSV<Named>(string: try await client.get("/api/v1/exports/sessions.csv?procedureKind=dextrose", token: researcher).text).rows
                    .isEmpty)
            #expect(
                try CSV<Named>(string: try await client.get("/api/v1/exports/sessions.csv?from=2026-01-01", token: researcher).text).rows.count == 6)
            let bad = try await client.get("/api/v1/exports/sessions.csv?from=soon&cohort=9-12&dates=fuzzy", token: researcher)
            #expect(bad.status == .unprocessableContent)
            #expect(try await client.get("/api/v1/exports/identities.csv", token: researcher).status == .notFound)
        }
    }
}
