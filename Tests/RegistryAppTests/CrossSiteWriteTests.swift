import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// A write that names a record of another branch (a patient, a clinician) is refused in the
/// repository that makes it, for every route: the answer for another site's patient is the one a
/// random id gets, and nothing is written.
@Suite struct CrossSiteWriteTests {
    func coursePayload(patient: String, site: UUID, clinician: UUID) -> String {
        #"{"patientId":"\#(patient)","siteId":"\#(site)","clinicianId":"\#(clinician)","side":"left","icd10":"G57.82","startedOn":"2026-02-01"}"#
    }

    @Test func aCourseForAnotherSitesPatientIsAnswered404LikeARandomId() async throws {
        try await APIHarness.run { h, client async throws in
            let registered = try await client.post(
                "/api/v1/patients",
                """
                {"siteId":"\(h.fixture.otherSiteId)","mrn":"S-1","familyName":"South","givenName":"Pat","dateOfBirth":"1960-05-06","sex":"male"}
                """, token: h.tokens["other"])
            #expect(registered.status == .created)
            let southPatient = try #require(registered.json["id"] as? String)
            let before = try await h.rowCounts()
            let elsewhere = try await client.post(
                "/api/v1/courses", coursePayload(patient: southPatient, site: h.fixture.siteId, clinician: h.fixture.clinicianId),
                token: h.clinician)
            let random = try await client.post(
                "/api/v1/courses", coursePayload(patient: UUID().uuidString, site: h.fixture.siteId, clinician: h.fixture.clinicianId),
                token: h.clinician)
            #expect(elsewhere.status == .notFound && random.status == .notFound)
            #expect(elsewhere.json["error"] as? String == "not_found" && random.json["error"] as? String == "not_found")
            #expect(!elsewhere.text.contains("South") && !elsewhere.text.contains("S-1"))
            #expect(try await h.rowCounts() == before)
        }
    }

    @Test func aCourseIsOpenedOnlyAtItsPatientsSiteWithAClinicianWhoWorksThere() async throws {
        try await APIHarness.run { h, client async throws in
            let before = try await h.rowCounts()
            let patient = h.fixture.patientId.uuidString
            let otherSite = try await client.post(
                "/api/v1/courses", coursePayload(patient: patient, site: h.fixture.otherSiteId, clinician: h.fixture.clinicianId),
                token: h.clinician)
            #expect(otherSite.status == .unprocessableContent && otherSite.problems == ["siteId:patient_site"], "\(otherSite.text)")
            let otherClinician = try await client.post(
                "/api/v1/courses",
                coursePayload(patient: patient, site: h.fixture.siteId, clinician: h.fixture.otherClinicianId),
                token: h.clinician)
            #expect(otherClinician.status == .unprocessableContent && otherClinician.problems == ["clinicianId:site"], "\(otherClinician.text)")
            #expect(try await h.rowCounts() == before)
            let own = try await client.post(
                "/api/v1/courses", coursePayload(patient: patient, site: h.fixture.siteId, clinician: h.fixture.clinicianId),
                token: h.clinician)
            #expect(own.status == .created)
        }
    }

    @Test func aSessionMayNotNameAClinicianOfAnotherSiteWhenLoggedOrCorrected() async throws {
        try await APIHarness.run { h, client async throws in
            let course = h.fixture.courseId
            let before = try await h.rowCounts()
            let logged = try await client.post(
                "/api/v1/courses/\(course)/sessions",
                """
                {"sessionOn":"2026-01-12","clinicianId":"\(h.fixture.otherClinicianId)","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}
                """, token: h.clinician)
            #expect(logged.status == .unprocessableContent && logged.problems == ["clinicianId:site"], "\(logged.text)")
            #expect(try await h.rowCounts() == before)
            let session = try await client.post(
                "/api/v1/courses/\(course)/sessions",
                """
                {"sessionOn":"2026-01-12","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}
                """, token: h.clinician)
            let id = try #require(session.json["id"] as? String)
            let corrected = try await client.send(
                .patch, "/api/v1/courses/\(course)/sessions/\(id)", #"{"clinicianId":"\#(h.fixture.otherClinicianId)"}"#,
                token: h.clinician, extra: [.ifMatch: "\"1\""])
            #expect(corrected.status == .unprocessableContent && corrected.problems == ["clinicianId:site"], "\(corrected.text)")
        }
    }

    /// A correction that changes nothing writes no new version and no audit row.
    @Test func aCorrectionThatChangesNothingWritesNothing() async throws {
        try await APIHarness.run { h, client async throws in
            let course = h.fixture.courseId
            let score = try await client.post(
                "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":4}"#,
                token: h.clinician)
            let id = try #require(score.json["id"] as? String)
            let before = try await h.rowCounts()
            for body in ["{}", #"{"nrs":4}"#] {
                let unchanged = try await client.send(
                    .patch, "/api/v1/courses/\(course)/pain-scores/\(id)", body, token: h.clinician, extra: [.ifMatch: "\"1\""])
                #expect(unchanged.status == .ok && unchanged.json["version"] as? Int == 1, "\(unchanged.text)")
            }
            #expect(try await h.rowCounts() == before)
            let changed = try await client.send(
                .patch, "/api/v1/courses/\(course)/pain-scores/\(id)", #"{"nrs":5}"#, token: h.clinician, extra: [.ifMatch: "\"1\""])
            #expect(changed.status == .ok && changed.json["version"] as? Int == 2)
        }
    }
}
