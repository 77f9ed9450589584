import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The outbox's routes over HTTP: consent recorded and read by the roles that may, refused with
/// each field and rule named, another site's patient or course not found, the course's messages,
/// a link for clinics that send it themselves, and the patient's opt-out without an account.
@Suite struct OutboxControllerTests {
    static let consent = #"{"channels":["line"],"lineUserId":"U0123456789abcdef0123456789abcdef","consentedOn":"2026-06-01","consentHow":"written"}"#

    @Test func aClinicianRecordsConsentAndItIsAuditedWithoutTheAddress() async throws {
        try await APIHarness.run { h, client async throws in
            let path = "/api/v1/patients/\(h.fixture.patientId)/contact"
            let none = try await client.get(path, token: h.clinician)
            #expect(none.status == .ok && none.json["contact"] == nil)
            let put = try await client.send(.put, path, Self.consent, token: h.clinician)
            #expect(put.status == .ok, "\(put.text)")
            let read = try await client.get(path, token: h.tokens["manager"])
            let contact = read.json["contact"] as? [String: Any]
            #expect(contact?["channels"] as? [String] == ["line"] && contact?["consentHow"] as? String == "written")
            #expect(contact?["lineUserId"] as? String == "U0123456789abcdef0123456789abcdef")
            let audit = try await client.get("/api/v1/audit?limit=200", token: h.tokens["admin"])
            #expect(audit.status == .ok && audit.text.contains("follow_up_contact") && !audit.text.contains("U0123456789abcdef"))

            let stopped = try await client.post(path + "/opt-out", "", token: h.clinician)
            #expect(stopped.status == .ok && stopped.json["changed"] as? Bool == true)
            let again = try await client.post(path + "/opt-out", "", token: h.clinician)
            #expect(again.json["changed"] as? Bool == false, "a second opt-out changes nothing")
            #expect((try await client.get(path, token: h.clinician).json["contact"] as? [String: Any])?["optedOutAt"] != nil)
        }
    }

    @Test func badConsentIsRefusedNamingEachFieldAndRule() async throws {
        try await APIHarness.run { h, client async throws in
            let path = "/api/v1/patients/\(h.fixture.patientId)/contact"
            let reply = try await client.send(
                .put, path, #"{"channels":["line","pigeon","line"],"consentedOn":"2030-01-01","consentHow":"shouted"}"#, token: h.clinician)
            #expect(reply.status == .unprocessableContent)
            #expect(
                Set(reply.problems) == [
                    "channels[1]:one_of", "channels[2]:repeated", "lineUserId:required", "consentedOn:not_in_future", "consentHow:one_of",
                ], "\(reply.problems)")
            // The fixture's patient has no phone on record.
            let sms = try await client.send(.put, path, #"{"channels":["sms"],"consentedOn":"2026-06-01","consentHow":"verbal"}"#, token: h.clinician)
            #expect(sms.problems == ["channels:sms_needs_phone"])
            let badId = try await client.send(
                .put, path, #"{"channels":["line"],"lineUserId":"someone","consentedOn":"2026-06-01","consentHow":"verbal"}"#, token: h.clinician)
            #expect(badId.problems == ["lineUserId:format"])
            #expect(try await client.send(.put, path, "[1,", token: h.clinician).status == .badRequest)
            #expect(try await client.get(path, token: h.clinician).json["contact"] == nil, "nothing was written")
        }
    }

    @Test func anotherSitesIdIsNotFoundAndARoleWithoutTheRightIsForbidden() async throws {
        try await APIHarness.run { h, client async throws in
            let contact = "/api/v1/patients/\(h.fixture.patientId)/contact", course = h.fixture.courseId
            let other = h.tokens["other"]
            #expect(try await client.get(contact, token: other).status == .notFound)
            #expect(try await client.send(.put, contact, Self.consent, token: other).status == .notFound)
            #expect(try await client.post(contact + "/opt-out", "", token: other).status == .notFound)
            #expect(try await client.get("/api/v1/courses/\(course)/messages", token: other).status == .notFound)
            #expect(try await client.post("/api/v1/courses/\(course)/follow-up-links", "", token: other).status == .notFound)
            #expect(try await client.get("/api/v1/patients/\(UUID())/contact", token: h.clinician).status == .notFound)

            let researcher = h.tokens["researcher"], manager = h.tokens["manager"]
            #expect(try await client.get(contact, token: researcher).status == .forbidden)
            #expect(try await client.send(.put, contact, Self.consent, token: manager).status == .forbidden)
            #expect(try await client.post(contact + "/opt-out", "", token: manager).status == .forbidden)
            #expect(try await client.get("/api/v1/courses/\(course)/messages", token: researcher).status == .forbidden)
            #expect(try await client.post("/api/v1/courses/\(course)/follow-up-links", "", token: manager).status == .forbidden)
            #expect(try await client.get(contact, token: nil).status == .unauthorized)
        }
    }

    @Test func aLinkMadeThroughTheAPIOpensThePatientsPageAndItsOptOutStopsMessages() async throws {
        try await APIHarness.run(configure: { $0.server.publicBaseUrl = "https://registry.example.org" }) { h, client async throws in
            let contact = "/api/v1/patients/\(h.fixture.patientId)/contact"
            #expect(try await client.send(.put, contact, Self.consent, token: h.clinician).status == .ok)
            let made = try await client.post("/api/v1/courses/\(h.fixture.courseId)/follow-up-links", "", token: h.clinician)
            #expect(made.status == .created)
            let url = try #require(made.json["url"] as? String), optOut = try #require(made.json["optOutUrl"] as? String)
            #expect(url.hasPrefix("https://registry.example.org/f/") && optOut == url + "/stop")
            let path = String(url.dropFirst("https://registry.example.org".count))
            #expect(try await client.get(path, token: nil).status == .ok)

            let ask = try await client.execute(uri: path + "/stop?lang=en", method: .get, headers: [:], body: nil) { $0 }
            let askText = String(buffer: ask.body)
            #expect(ask.status == .ok && askText.contains("Stop the messages") && !askText.contains("Doe"))
            // Stopped: a redirect to the same page (post/redirect/get), which now says so, reload or not.
            let done = try await client.execute(uri: path + "/stop", method: .post, headers: [:], body: nil) { $0 }
            #expect(done.status == .seeOther && done.headers[.location] == path + "/stop")
            for _ in 0..<2 {
                let shown = try await client.execute(uri: path + "/stop?lang=zh-TW", method: .get, headers: [:], body: nil) { $0 }
                #expect(shown.status == .ok && String(buffer: shown.body).contains("不會再傳送") && String(buffer: shown.body).contains("Test Clinic"))
            }
            let after = try await client.get(contact, token: h.clinician).json["contact"] as? [String: Any]
            #expect(after?["optedOutAt"] != nil)
            let unknown = try await client.execute(uri: "/f/not-a-token/stop", method: .post, headers: [:], body: nil) { $0 }
            #expect(unknown.status == .notFound)
            #expect(try await client.get("/api/v1/courses/\(h.fixture.courseId)/messages", token: h.clinician).json["items"] as? [Any] != nil)
        }
    }
}
