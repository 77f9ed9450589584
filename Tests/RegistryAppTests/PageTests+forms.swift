import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Every form of the web app over HTTP: valid, each kind of broken rule (beside its field,
/// what was typed kept, nothing written), a duplicate submit, a stale correction, CSRF, roles.
extension PageTests {
    /// Opens the form at `uri` and posts `fields` with its CSRF token and idempotency key
    /// (and version, for a correction); `key` replaces the form's own key when given.
    func submit(
        _ client: some TestClientProtocol, _ uri: String, to action: String, _ fields: [String: String], cookie: String,
        language: String = "en"
    ) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        let (status, form, _) = try await page(client, uri, cookie: cookie, language: language)
        #expect(status == .ok, "\(uri): \(form)")
        var all = fields
        for name in ["csrf", "idempotencyKey", "version"] { if let value = hidden(form, name) { all[name] = value } }
        return try await post(client, action, encode(all), cookie: cookie, language: language)
    }

    /// Adds a record of `segment` to the fixture's course from its form.
    func addRecord(
        _ client: some TestClientProtocol, _ h: APIHarness, _ segment: String, _ fields: [String: String], cookie: String,
        language: String = "en"
    ) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        let course = "/courses/\(h.fixture.courseId.uuidString.lowercased())"
        return try await submit(client, "\(course)/\(segment)/new", to: "\(course)/\(segment)", fields, cookie: cookie, language: language)
    }

    func encode(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._")
        return fields.sorted { $0.key < $1.key }
            .map {
                "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            }
            .joined(separator: "&")
    }

    /// The message shown beside field `id` (the first `field-error` after its element).
    func fieldError(_ page: String, _ id: String) -> String? {
        guard let start = page.range(of: "id=\"\(id)\"") ?? page.range(of: "for=\"\(id)\"") else { return nil }
        let before = page[..<start.lowerBound].components(separatedBy: "<div class=\"field").last ?? ""
        let after = page[start.lowerBound...].components(separatedBy: "</div>").first ?? ""
        return (before + after).components(separatedBy: "<p class=\"field-error\">").dropFirst().first?.components(separatedBy: "</p>").first
    }

    @Test func registeringAPatientNamesEachProblemBesideItsFieldAndADuplicateMRNOnTheMRN() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.forms")
            let typed = ["siteId": h.fixture.siteId.uuidString, "mrn": "MRN-77", "givenName": "Ann", "dateOfBirth": "2090-01-01", "sex": "female"]
            let before = try await h.rowCounts()
            let (invalid, again, _) = try await submit(client, "/patients/new", to: "/patients", typed, cookie: cookie)
            #expect(invalid == .unprocessableContent)
            #expect(fieldError(again, "familyName") == "Family name is required")
            #expect(fieldError(again, "dateOfBirth")?.hasPrefix("Date of birth must not be after today") == true)
            #expect(again.contains("value=\"MRN-77\"") && again.contains("value=\"Ann\"") && again.contains("href=\"#familyName\""))
            let (zh, chinese, _) = try await submit(client, "/patients/new", to: "/patients", typed, cookie: cookie, language: "zh-TW")
            #expect(zh == .unprocessableContent && fieldError(chinese, "familyName") == "請填寫姓", "\(chinese)")
            #expect(fieldError(chinese, "dateOfBirth") == "出生日期不可晚於今天（2026-06-15）", "the zh-TW message says today's date too")
            #expect(try await h.rowCounts() == before)

            var valid = typed
            valid["familyName"] = "Lin"
            valid["dateOfBirth"] = "1970-05-05"
            let (created, _, headers) = try await submit(client, "/patients/new", to: "/patients", valid, cookie: cookie)
            #expect(created == .seeOther && headers[.location]?.hasPrefix("/patients/") == true)
            let (duplicate, clash, _) = try await submit(client, "/patients/new", to: "/patients", valid, cookie: cookie)
            #expect(
                duplicate == .unprocessableContent && fieldError(clash, "mrn") == "MRN: a patient with this MRN is already registered at this site")
            // Beside it, a link to the patient who has the MRN.
            let existing = try #require(headers[.location])
            #expect(clash.contains("<p class=\"field-link\"><a href=\"\(existing)\">Open Lin "), "\(clash)")
            #expect((try await h.rowCounts()["patient_identities"] ?? 0) - (before["patient_identities"] ?? 0) == 1)
        }
    }

    @Test func openingACourseFromThePatientPage() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.forms")
            let patient = h.fixture.patientId.uuidString.lowercased()
            let (_, patientPage, _) = try await page(client, "/patients/\(patient)", cookie: cookie)
            #expect(patientPage.contains("/patients/\(patient)/courses/new"))
            let form = [
                "siteId": h.fixture.siteId.uuidString.lowercased(), "clinicianId": h.fixture.clinicianId.uuidString.lowercased(), "side": "right",
                "icd10": "g57", "startedOn": "2026-05-01", "symptomOnset": "2026-05-02",
            ]
            let (invalid, again, _) = try await submit(
                client, "/patients/\(patient)/courses/new", to: "/patients/\(patient)/courses", form, cookie: cookie)
            #expect(invalid == .unprocessableContent)
            #expect(
                fieldError(again, "icd10")?.contains("must be an ICD-10 code") == true
                    && fieldError(again, "symptomOnset")?.contains("must not be after startedOn") == true)
            var valid = form
            valid["icd10"] = "G57.81"
            valid["symptomOnset"] = ""
            valid["patientId"] = UUID().uuidString  // ignored: the patient is the one in the address
            let (created, _, headers) = try await submit(
                client, "/patients/\(patient)/courses/new", to: "/patients/\(patient)/courses", valid, cookie: cookie)
            let location = try #require(headers[.location])
            #expect(created == .seeOther && location.hasPrefix("/courses/"))
            let (_, coursePage, _) = try await page(client, location, cookie: cookie)
            #expect(coursePage.contains("G57.81") && coursePage.contains("/patients/\(patient)\""))
        }
    }

    @Test func theBlockFormCarriesTheThresholdsAndRefusesWhatTheAPIRefuses() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.forms")
            let course = "/courses/\(h.fixture.courseId.uuidString.lowercased())"
            let (_, form, _) = try await page(client, "\(course)/blocks/new", cookie: cookie)
            #expect(form.contains("data-positive-relief=\"50") && form.contains("id=\"relief-output\"") && form.contains("/assets/forms.js"))
            // The minutes hint names the configured window, and the live figure says why a late reading is negative.
            #expect(form.contains("5–60 minutes after the injection") && form.contains("data-outside-label=\"outside 5–60 min\""))
            let (_, chinese, _) = try await page(client, "\(course)/blocks/new", cookie: cookie, language: "zh-TW")
            #expect(chinese.contains("注射後 5–60 分鐘內"))
            let block = [
                "performedAt": "2026-01-12T09:30", "side": "left", "agent": "lidocaine", "volumeMl": "2", "nrsBefore": "0", "nrsAfter": "3",
                "assessedMinutesAfter": "300",
            ]
            let (invalid, again, _) = try await addRecord(client, h, "blocks", block, cookie: cookie)
            #expect(invalid == .unprocessableContent)
            #expect(fieldError(again, "nrsBefore")?.contains("must be at least 1") == true && fieldError(again, "assessedMinutesAfter") != nil)
            #expect(try await h.rowCounts()["diagnostic_blocks"] == 0)
            var valid = block
            valid["nrsBefore"] = "8"
            valid["assessedMinutesAfter"] = "10"
            let (saved, _, _) = try await addRecord(client, h, "blocks", valid, cookie: cookie)
            #expect(saved == .seeOther)
            let (_, coursePage, _) = try await page(client, course, cookie: cookie)
            #expect(coursePage.contains("lidocaine 2 mL · NRS 8 → 3 · at 10 min · 62.5% · positive"))
            // The clinic's 09:30 is stored as that instant (the test clinic's zone), not as UTC's 09:30.
            let timeline = try await client.get("/api/v1/courses/\(h.fixture.courseId)", token: h.clinician)
            let performed = try #require((timeline.json["blocks"] as? [[String: Any]])?.first?["performedAt"] as? String)
            let zone = try TestDatabase.config().clinicTimeZone
            #expect(performed == FormatterCheck.instant("2026-01-12T09:30", zone), "\(performed)")
        }
    }

    /// A number field holding words does not hide the other broken rules: every problem of the
    /// form is beside its field at once, in either language, and nothing is written.
    @Test func aBlockFormShowsEveryBrokenRuleAtOnce() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.forms")
            let block = [
                "performedAt": "2026-01-12T09:30", "side": "left", "volumeMl": "three", "nrsBefore": "11", "nrsAfter": "3",
            ]
            for language in ["en", "zh-TW"] {
                let (invalid, again, _) = try await addRecord(client, h, "blocks", block, cookie: cookie, language: language)
                #expect(invalid == .unprocessableContent)
                for field in ["volumeMl", "nrsBefore", "agent", "assessedMinutesAfter"] {
                    #expect(fieldError(again, field) != nil, "\(language): \(field) has no message")
                }
                #expect(again.contains("value=\"three\""), "what was typed is kept")
            }
            #expect(try await h.rowCounts()["diagnostic_blocks"] == 0)
        }
    }

    /// A form that could not be saved answers its POST with a redirect (post/redirect/get) to its
    /// own page kept as typed: a reload shows it again and writes nothing, the language switch
    /// keeps it, and it is this session's only. An address that is not a page gives a browser a
    /// page, not JSON.
    @Test func aFormThatCouldNotBeSavedIsKeptAtAnAddressThatReloadsAndSwitchesLanguage() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.forms")
            let course = "/courses/\(h.fixture.courseId.uuidString.lowercased())"
            let (_, fresh, _) = try await page(client, "\(course)/blocks/new", cookie: cookie)
            var block = ["performedAt": "2026-01-12T09:30", "side": "left", "volumeMl": "three", "nrsBefore": "11", "nrsAfter": "3"]
            for name in ["csrf", "idempotencyKey"] { block[name] = hidden(fresh, name) }
            let reply = try await client.execute(
                uri: "\(course)/blocks", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: encode(block)))
            let kept = try #require(reply.headers[.location])
            #expect(reply.status == .seeOther && kept.hasPrefix("\(course)/blocks/new?draft="), "\(kept)")
            // A reload: the same form, as typed, with every problem; nothing written.
            for _ in 0..<2 {
                let (again, page, _) = try await self.page(client, kept, cookie: cookie)
                #expect(again == .unprocessableContent && page.contains("value=\"three\"") && fieldError(page, "agent") != nil)
                #expect(hidden(page, "idempotencyKey") == block["idempotencyKey"], "saving it once fixed stores one record")
                #expect(page.contains("href=\"?draft=\(kept.split(separator: "=").last!)&amp;lang=zh-TW\""), "the switch keeps the form")
            }
            let (switched, chinese, headers) = try await page(client, kept + "&lang=zh-TW", cookie: cookie)
            #expect(switched == .unprocessableContent && chinese.contains("<html lang=\"zh-TW\"") && chinese.contains("value=\"three\""))
            #expect(fieldError(chinese, "volumeMl")?.contains("格式不正確") == true && fieldError(chinese, "nrsBefore") != nil)
            #expect(headers[.setCookie]?.contains("zh-TW") == true, "the choice is remembered")
            // Another session (even the same user's) gets the fresh form, not what this one typed.
            let other = try await signIn(client, h, username: "dr.forms")
            let (status, theirs, _) = try await page(client, kept, cookie: other)
            #expect(status == .ok && !theirs.contains("value=\"three\"") && fieldError(theirs, "agent") == nil)
            #expect(try await h.rowCounts()["diagnostic_blocks"] == 0, "showing the form again writes nothing")
            var valid = block
            valid.merge(["volumeMl": "3", "nrsBefore": "8", "agent": "lidocaine", "assessedMinutesAfter": "10"]) { $1 }
            #expect(try await post(client, "\(course)/blocks", encode(valid), cookie: cookie).0 == .seeOther)
            #expect(try await h.rowCounts()["diagnostic_blocks"] == 1)
            // Signing out takes the session's kept forms (what was typed: names, MRNs) with it.
            func drafts() async throws -> Int {
                try await h.database.withConnection {
                    try await $0.query("SELECT count(*) FROM form_drafts", logger: TestDatabase.logger).decode(Int.self).first { _ in true } ?? -1
                }
            }
            #expect(try await drafts() == 1)
            _ = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie, .accept: "text/html"])
            #expect(try await drafts() == 0)
            // An address that is no page: a browser gets a page in its language with a way home; the API stays JSON.
            for (language, title) in [("zh-TW", "找不到此頁"), ("en", "Page not found")] {
                let reply = try await client.execute(
                    uri: "\(course)/blocks?lang=\(language)", method: .get,
                    headers: [.cookie: cookie, .accept: "text/html,application/xhtml+xml", .acceptLanguage: language])
                let html = String(buffer: reply.body)
                #expect(reply.status == .notFound && reply.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(html.contains("<title>") && html.contains(title) && html.contains("href=\"/\""), "\(html)")
            }
            let unknown = try await client.execute(uri: "/no/such/page", method: .get, headers: [.accept: "text/html", .acceptLanguage: "en"])
            #expect(unknown.status == .notFound && String(buffer: unknown.body).contains("Page not found"))
            let api = try await client.execute(uri: "/api/v1/no-such-thing", method: .get, headers: [.accept: "text/html"])
            #expect(api.status == .notFound && api.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test func aSessionSendsOnlyTheProcedureRowsFilledAndNamesAProblemInTheRowItIsIn() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.forms")
            let session = [
                "sessionOn": "2026-01-12", "procedures[0].kind": "hydrodissection", "procedures[0].injectate": "d5w", "procedures[0].volumeMl": "ten",
                "procedures[1].kind": "prp", "procedures[1].volumeMl": "4", "procedures[1].injectate": "d5w",
            ]
            let (invalid, again, _) = try await addRecord(client, h, "sessions", session, cookie: cookie, language: "zh-TW")
            #expect(invalid == .unprocessableContent)
            #expect(fieldError(again, "procedures-0-volumeMl") == "注射量（mL）格式不正確，請輸入數字，例如 2.5", "\(again)")
            #expect(again.contains("<option value=\"prp\" selected>"))
            var valid = session
            valid["procedures[0].volumeMl"] = "10"
            let (stillInvalid, second, _) = try await addRecord(client, h, "sessions", valid, cookie: cookie)
            #expect(
                stillInvalid == .unprocessableContent
                    && fieldError(second, "procedures-1-injectate") == "Injectate (hydrodissection) applies to hydrodissection only")
            valid["procedures[1].injectate"] = nil
            valid["procedures[1].leukocytes"] = "poor"
            let (saved, _, _) = try await addRecord(client, h, "sessions", valid, cookie: cookie)
            #expect(saved == .seeOther)
            let counts = try await h.rowCounts()
            #expect(counts["treatment_sessions"] == 1 && counts["procedures"] == 2)
        }
    }

    @Test func findingsAndEventsFromTheirForms() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.forms")
            // A screening begun must be finished; the untouched sections are not sent.
            let partial = [
                "recordedOn": "2026-01-11", "screening.painOverThreeMonths": "yes", "ultrasound.flattening": "no",
                "ultrasound.restrictedGliding": "yes",
                "ultrasound.fasciaAdhesion": "yes", "ultrasound.tunnelNarrowing": "no", "ultrasound.nerveCsaMm2": "4.25",
            ]
            let (invalid, again, _) = try await addRecord(client, h, "findings", partial, cookie: cookie)
            #expect(
                invalid == .unprocessableContent
                    && fieldError(again, "screening-imagingMildOnly") == "Please answer: Imaging reports &quot;mild degeneration only&quot;?")
            #expect(fieldError(again, "examination-triggerPoint") == nil && again.contains("value=\"4.25\""))
            let ultrasoundOnly = partial.filter { !$0.key.hasPrefix("screening") }
            #expect(try await addRecord(client, h, "findings", ultrasoundOnly, cookie: cookie).0 == .seeOther)
            let counts = try await h.rowCounts()
            #expect(counts["ultrasound_findings"] == 1 && counts["screening_findings"] == 0 && counts["examination_findings"] == 0)
            let event = ["kind": "discharged", "occurredOn": "2026-03-01", "note": "doing well"]
            #expect(try await addRecord(client, h, "events", event, cookie: cookie).0 == .seeOther)
            let (_, coursePage, _) = try await page(client, "/courses/\(h.fixture.courseId)", cookie: cookie)
            #expect(coursePage.contains("discharged") && coursePage.contains("ultrasound"))
            // The timeline row says what was found, as the form asked it.
            #expect(
                coursePage.contains(
                    "Nerve cross-sectional area (mm², optional): 4.25 · Nerve flattened? no · Restricted gliding on dynamic scan? yes"))
        }
    }

    @Test func aCorrectionFromAStaleFormWritesNothingAndShowsTheCurrentValues() async throws {
        try await APIHarness.run { h, client in
            let course = h.fixture.courseId
            let created = try await client.post(
                "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":5,"odi":30}"#,
                token: h.clinician)
            let id = try #require(created.json["id"] as? String)
            let cookie = try await signIn(client, h, username: "dr.forms")
            let edit = "/courses/\(course.uuidString.lowercased())/pain-scores/\(id.lowercased())/edit"
            let (_, coursePage, _) = try await page(client, "/courses/\(course)", cookie: cookie)
            #expect(coursePage.contains(edit))
            let (_, form, _) = try await page(client, edit, cookie: cookie)
            #expect(form.contains("name=\"nrs\" value=\"5\" checked") && form.contains("value=\"30\"") && hidden(form, "version") == "1")
            // Someone else corrects it first (version 1 → 2).
            #expect(
                try await client.send(
                    .patch, "/api/v1/courses/\(course)/pain-scores/\(id)", #"{"nrs":6}"#, token: h.clinician, extra: [.ifMatch: "\"1\""]
                ).status == .ok)
            let stale =
                "csrf=\(try #require(hidden(form, "csrf")))&idempotencyKey=\(UUID())&version=1&nrs=4&recordedOn=2026-02-01&timepoint=follow_up&odi="
            let (conflict, again, _) = try await post(client, edit, stale, cookie: cookie)
            #expect(conflict == .conflict && again.contains("Changed by someone else since you opened it"))
            #expect(again.contains("name=\"nrs\" value=\"6\" checked") && hidden(again, "version") == "2")
            // From the fresh form the change applies; a blank ODI clears it.
            let fresh = stale.replacingOccurrences(of: "version=1", with: "version=2")
            let (saved, _, _) = try await post(client, edit, fresh, cookie: cookie)
            #expect(saved == .seeOther)
            let record = try await client.get("/api/v1/courses/\(course)", token: h.clinician).json["painScores"] as? [[String: Any]]
            #expect(record?.first?["nrs"] as? Int == 4 && record?.first?["odi"] == nil && record?.first?["version"] as? Int == 3)
        }
    }

    @Test func aVoidNeedsAReasonAndHappensOnce() async throws {
        try await APIHarness.run { h, client in
            let course = h.fixture.courseId
            let created = try await client.post(
                "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":5}"#, token: h.clinician)
            let id = try #require(created.json["id"] as? String)
            let cookie = try await signIn(client, h, username: "dr.forms")
            let void = "/courses/\(course.uuidString.lowercased())/pain-scores/\(id.lowercased())/void"
            let (missing, again, _) = try await submit(client, void, to: void, ["reason": " "], cookie: cookie)
            #expect(missing == .unprocessableContent && fieldError(again, "reason") == "Please answer: Why is it void?")
            let (_, form, _) = try await page(client, void, cookie: cookie)
            // The form names the record it voids, and its button says what it does.
            #expect(form.contains("Voiding: Pain score 2026-02-01") && form.contains(">Void this record</button>"))
            let (_, chinese, _) = try await page(client, void, cookie: cookie, language: "zh-TW")
            #expect(chinese.contains("作廢：疼痛指數 NRS 2026-02-01") && chinese.contains(">作廢此筆紀錄</button>"))
            let body = "csrf=\(try #require(hidden(form, "csrf")))&idempotencyKey=\(UUID())&version=1&reason=wrong+patient"
            #expect(try await post(client, void, body, cookie: cookie).0 == .seeOther)
            let (twice, _, _) = try await post(client, void, body, cookie: cookie)  // the back button and submit again
            #expect(twice == .unprocessableContent || twice == .conflict)
            let (_, coursePage, _) = try await page(client, "/courses/\(course)", cookie: cookie)
            #expect(coursePage.contains("class=\"voided\"") && coursePage.contains("wrong patient") && !coursePage.contains(void))
            let audit = try await h.rowCounts()["audit_log"] ?? 0
            #expect(audit > 0)
        }
    }

    @Test func formsRefuseTheWrongRoleAMissingTokenAndAnotherSitesCourse() async throws {
        try await APIHarness.run { h, client in
            let course = "/courses/\(h.fixture.courseId.uuidString.lowercased())"
            let block =
                "performedAt=2026-01-12T09%3A30&side=left&agent=lidocaine&volumeMl=2&nrsBefore=8&nrsAfter=3&assessedMinutesAfter=10&idempotencyKey=\(UUID())"
            let manager = try await signIn(client, h, username: "mgr.forms")
            let (readOnly, page403, _) = try await page(client, "\(course)/blocks/new", cookie: manager)
            #expect(readOnly == .forbidden && page403.contains("Read only"))
            let (_, managerCourse, _) = try await page(client, course, cookie: manager)
            #expect(!managerCourse.contains("/blocks/new") && !managerCourse.contains("name=\"csrf\""))
            #expect(try await post(client, "\(course)/blocks", "csrf=x&" + block, cookie: manager).0 == .forbidden)
            let clinician = try await signIn(client, h, username: "dr.forms")
            let (noToken, expired, _) = try await post(client, "\(course)/blocks", block, cookie: clinician)
            #expect(noToken == .forbidden && expired.contains("The form has expired"))
            let researcher = try await signIn(client, h, username: "res.forms")
            #expect(try await page(client, "/patients/new", cookie: researcher).0 == .forbidden)
            let away = try await signIn(client, h, username: "dr.away", site: "OTHER")
            let (missing, notFound, _) = try await page(client, "\(course)/blocks/new", cookie: away)
            #expect(missing == .notFound && notFound.contains("There is no such record at your sites."))
            #expect(try await h.rowCounts()["diagnostic_blocks"] == 0)
        }
    }
}

/// The clinic-local time a form sends, worked out independently of the page code.
enum FormatterCheck {
    static func instant(_ local: String, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = local.split { "-T:".contains($0) }.map { Int($0)! }
        let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))!
        return date.formatted(.iso8601)
    }
}
