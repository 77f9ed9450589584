import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The research export page: links only for a filter the API accepts, a broken one named beside
/// its field, a manager's own sites only, a clinician's 403 page; the links download.
extension PageTests {
    @Test func theExportPageGivesLinksForAValidFilterAndNamesABadOne() async throws {
        try await APIHarness.run { h, client in
            let researcher = try await signIn(client, h, username: "res.exports")
            let (ok, html, _) = try await page(client, "/exports?cohort=1-2&dates=relative", cookie: researcher)
            #expect(ok == .ok && html.contains("href=\"/api/v1/exports.zip?cohort=1-2&amp;dates=relative\"") && html.contains("pain_scores.csv"))
            #expect(html.contains("No names, MRN, contact details or birth dates") && html.contains("Free-text notes are left out."))
            let zip = try await client.execute(uri: "/api/v1/exports.zip?cohort=1-2&dates=relative", method: .get, headers: [.cookie: researcher])
            #expect(zip.status == .ok && zip.headers[.contentType] == "application/zip")
            let (bad, again, _) = try await page(client, "/exports?cohort=7-9&from=2026-13-01", cookie: researcher, language: "zh-TW")
            #expect(
                bad == .unprocessableContent && fieldError(again, "cohort") != nil && fieldError(again, "from") != nil
                    && !again.contains("exports.zip"))
            // "From" after "to" is refused as the dashboard refuses it, beside the field, with no downloads offered.
            let (reversed, reversedPage, _) = try await page(client, "/exports?from=2026-06-01&to=2025-01-01", cookie: researcher)
            #expect(
                reversed == .unprocessableContent && fieldError(reversedPage, "from")?.hasSuffix("must not be after to (2025-01-01)") == true
                    && !reversedPage.contains("exports.zip"))
            let (zhStatus, zhPage, _) = try await page(client, "/exports?from=2026-06-01&to=2025-01-01", cookie: researcher, language: "zh-TW")
            #expect(zhStatus == .unprocessableContent && fieldError(zhPage, "from")?.contains("不可晚於結束日") == true)
            let api = try await client.get("/api/v1/exports/sessions.csv?from=2026-06-01&to=2025-01-01", token: h.tokens["researcher"])
            #expect(api.status == .unprocessableContent && api.problems == ["from:order"])
            let manager = try await signIn(client, h, username: "mgr.exports")
            let (_, managers, _) = try await page(client, "/exports", cookie: manager)
            #expect(managers.contains("Test Clinic") && !managers.contains("Other Clinic"))
            let clinician = try await signIn(client, h, username: "dr.exports")
            #expect(try await page(client, "/exports", cookie: clinician).0 == .forbidden)
        }
    }
}
