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
            let manager = try await signIn(client, h, username: "mgr.exports")
            let (_, managers, _) = try await page(client, "/exports", cookie: manager)
            #expect(managers.contains("Test Clinic") && !managers.contains("Other Clinic"))
            let clinician = try await signIn(client, h, username: "dr.exports")
            #expect(try await page(client, "/exports", cookie: clinician).0 == .forbidden)
        }
    }
}
