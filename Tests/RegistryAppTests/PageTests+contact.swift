import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The consent form on the patient's page (`OutboxController`'s pages): every broken rule beside
/// its field in either language, the consent shown once recorded, the clinic's stop button, and
/// the form refused to a role that may not write and unknown at another site.
extension PageTests {
    @Test func aClinicianRecordsConsentOnThePatientsPageAndStopsTheMessages() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.contact")
            let patientPath = "/patients/\(h.fixture.patientId.uuidString.lowercased())"
            let (_, before, _) = try await page(client, patientPath, cookie: cookie)
            #expect(before.contains("has not agreed to follow-up messages") && before.contains("href=\"\(patientPath)/contact\""))

            let (shown, form, _) = try await page(client, patientPath + "/contact", cookie: cookie)
            #expect(shown == .ok && form.contains("Doe Jane (MRN-1)") && form.contains("name=\"consentedOn\" value=\"2026-06-15\""))
            let csrf = try #require(hidden(form, "csrf")), key = try #require(hidden(form, "idempotencyKey"))

            // SMS for a patient with no phone, a malformed LINE id, LINE twice, no way of consent: each beside its field.
            let (invalid, again, _) = try await post(
                client, patientPath + "/contact",
                "csrf=\(csrf)&idempotencyKey=\(key)&channels%5B0%5D=sms&channels%5B1%5D=sms&lineUserId=U123&consentedOn=2026-06-01",
                cookie: cookie, language: "zh-TW")
            #expect(invalid == .unprocessableContent)
            #expect(fieldError(again, "channels-0")?.contains("簡訊需要病歷上有電話號碼") == true, "\(again)")
            #expect(fieldError(again, "channels-1")?.contains("重複") == true)
            #expect(fieldError(again, "lineUserId") == "LINE 使用者 ID格式不正確")
            #expect(fieldError(again, "consentHow") != nil && again.contains("value=\"U123\""))
            #expect(try await Repositories.testing(h.database).outbox.contact(patientId: h.fixture.patientId, scope: nil) == .some(nil))

            // Only a second choice given: it is the one channel.
            let (saved, _, headers) = try await post(
                client, patientPath + "/contact",
                "csrf=\(csrf)&idempotencyKey=\(key)&channels%5B0%5D=&channels%5B1%5D=line&lineUserId=U\(String(repeating: "0f", count: 16))"
                    + "&consentedOn=2026-06-01&consentHow=verbal", cookie: cookie)
            #expect(saved == .seeOther && headers[.location] == patientPath + "#contact")
            let contact = try #require(try await Repositories.testing(h.database).outbox.contact(patientId: h.fixture.patientId, scope: nil) ?? nil)
            #expect(contact.channels == [.line] && contact.consentHow == .verbal && contact.consentedOn == CalendarDate(iso: "2026-06-01"))

            let (_, after, _) = try await page(client, patientPath, cookie: cookie, language: "zh-TW")
            #expect(after.contains("2026-06-01 · 口頭") && after.contains("停止所有通知") && after.contains("變更同意內容"))
            let (_, again2, _) = try await page(client, patientPath + "/contact", cookie: cookie)
            #expect(
                again2.contains("value=\"verbal\" checked") || again2.contains("value=\"verbal\" checked=\"checked\""),
                "the form shows the consent on record")

            let stopCsrf = try #require(hidden(after, "csrf"))
            let (stopped, _, stopHeaders) = try await post(client, patientPath + "/contact/opt-out", "csrf=\(stopCsrf)", cookie: cookie)
            #expect(stopped == .seeOther && stopHeaders[.location] == patientPath + "#contact")
            let (_, optedOut, _) = try await page(client, patientPath, cookie: cookie)
            #expect(optedOut.contains("Opted out on") && !optedOut.contains("Stop all messages"))
            #expect(try await post(client, patientPath + "/contact/opt-out", "csrf=wrong", cookie: cookie).0 == .forbidden)

            // A manager reads the patient but may not record consent; another site's clinician does not find the patient.
            let manager = try await signIn(client, h, username: "mgr.contact")
            #expect(try await page(client, patientPath + "/contact", cookie: manager).0 == .forbidden)
            let (_, managerView, _) = try await page(client, patientPath, cookie: manager)
            #expect(!managerView.contains("href=\"\(patientPath)/contact\""))
            let other = try await signIn(client, h, username: "dr.contact.other", site: "OTHER")
            #expect(try await page(client, patientPath + "/contact", cookie: other).0 == .notFound)
            let otherCsrf = try #require(hidden(try await page(client, "/patients/new", cookie: other).1, "csrf"))
            #expect(try await post(client, patientPath + "/contact/opt-out", "csrf=\(otherCsrf)", cookie: other).0 == .notFound)
        }
    }
}
