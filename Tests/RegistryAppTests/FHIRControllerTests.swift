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

/// FHIR R4 out: a course's Bundle reads as the course page does, and the Bulk export
/// is the CSV export's selection and de-identification in FHIR, valid whole.
@Suite struct FHIRControllerTests {
    /// The fields of FHIR JSON these tests read.
    struct Bundle: Decodable {
        let resourceType: String
        let type: String
        let entry: [Entry]
        func all(_ type: String) -> [Resource] { entry.map(\.resource).filter { $0.resourceType == type } }
    }

    struct Entry: Decodable {
        let fullUrl: String
        let resource: Resource
    }

    struct Resource: Decodable {
        struct Meta: Decodable {
            let versionId: String?
            let security: [Coding]?
        }
        struct Coding: Decodable {
            let system: String?
            let code: String?
        }
        struct Concept: Decodable {
            let coding: [Coding]?
            let text: String?
            var codes: [String] { (coding ?? []).compactMap(\.code) }
        }
        /// A Condition's and an Observation's categories are a list, a Procedure's is one.
        struct Categories: Decodable {
            let concepts: [Concept]
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let list = try? container.decode([Concept].self) { concepts = list } else { concepts = [try container.decode(Concept.self)] }
            }
        }
        struct Identifier: Decodable {
            let type: Concept?
            let system: String
            let value: String
        }
        struct Name: Decodable {
            let family: String
            let given: [String]
        }
        struct Reference: Decodable { let reference: String }
        struct Period: Decodable {
            let start: String?
            let end: String?
        }
        struct Quantity: Decodable {
            let value: Double
            let code: String
        }
        struct Extension: Decodable {
            let url: String
            let valueCode: String?
            let valueCoding: Coding?
            let valueQuantity: Quantity?
            let valueString: String?
        }
        struct Item: Decodable {
            struct Answer: Decodable {
                let valueInteger: Int?
                let valueBoolean: Bool?
            }
            let linkId: String
            let answer: [Answer]
        }

        let resourceType: String
        let id: String
        let meta: Meta?
        let identifier: [Identifier]?
        let name: [Name]?
        let birthDate: String?
        let gender: String?
        let code: Concept?
        let category: Categories?
        let subject: Reference?
        let bodySite: [Concept]?
        let recordedDate: String?
        let status: String?
        let period: Period?
        let performedDateTime: String?
        let effectiveDateTime: String?
        let valueInteger: Int?
        let valueQuantity: Quantity?
        let interpretation: [Concept]?
        let derivedFrom: [Reference]?
        let partOf: [Reference]?
        let item: [Item]?
        let extensions: [Extension]?

        enum CodingKeys: String, CodingKey {
            case resourceType, id, meta, identifier, name, birthDate, gender, code, category, subject, bodySite, recordedDate, status, period
            case performedDateTime, effectiveDateTime, valueInteger, valueQuantity, interpretation, derivedFrom, partOf, item
            case extensions = "extension"
        }

        func extensionValue(_ name: String) -> Extension? { extensions?.first { $0.url.hasSuffix("/StructureDefinition/" + name) } }
    }

    static let base = "https://fhir.clinic.example.org/scn"

    /// A whole course through the API: a block, three sessions (one voided), scores (one
    /// corrected), a patient's answer from a follow-up link, then a discharge.
    func logCourse(_ client: some TestClientProtocol, _ h: APIHarness) async throws {
        let course = h.fixture.courseId
        func created(_ path: String, _ body: String) async throws -> String {
            let reply = try await client.post("/api/v1/courses/\(course)/\(path)", body, token: h.clinician)
            #expect(reply.status == .created, "\(path): \(reply.text)")
            return try #require(reply.json["id"] as? String)
        }
        _ = try await created(
            "blocks",
            #"{"performedAt":"2026-01-10T09:30:00Z","side":"left","agent":"lidocaine","volumeMl":5,"nrsBefore":8,"nrsAfter":3,"assessedMinutesAfter":10}"#
        )
        _ = try await created("pain-scores", #"{"recordedOn":"2026-01-10","timepoint":"baseline","nrs":8,"odi":46}"#)
        _ = try await created(
            "sessions",
            #"{"sessionOn":"2026-01-12","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10.5},{"kind":"prp","volumeMl":4,"leukocytes":"poor"}]}"#
        )
        let voided = try await created(
            "sessions", #"{"sessionOn":"2026-01-20","procedures":[{"kind":"hydrodissection","injectate":"normal_saline","volumeMl":8}]}"#)
        #expect(
            try await client.send(
                .post, "/api/v1/courses/\(course)/sessions/\(voided)/void", #"{"reason":"logged on the wrong course"}"#,
                token: h.clinician, extra: [.ifMatch: "\"1\""]
            ).status == .ok)
        _ = try await created("sessions", #"{"sessionOn":"2026-02-02","procedures":[{"kind":"dextrose","volumeMl":6,"dextrosePercent":12.5}]}"#)
        // Two weeks after the last session (2026-02-02) the patient answers from a link.
        let config = try TestDatabase.config()
        let followUps = Repositories(database: h.database, rules: config.clinical, followUp: config.followUp).followUps
        let link = try await followUps.createLink(courseId: course, scope: nil, by: Fixture.actor)
        let answer = try PatientAnswerInput(nrs: "2", pgic: "6", painCameBack: "no").validated()
        #expect(try await followUps.answer(token: link.token, answer, today: CalendarDate(iso: "2026-02-16")!) == .recorded)
        let corrected = try await created("pain-scores", #"{"recordedOn":"2026-02-20","timepoint":"follow_up","nrs":5,"pgic":5}"#)
        #expect(
            try await client.send(
                .patch, "/api/v1/courses/\(course)/pain-scores/\(corrected)", #"{"nrs":3}"#,
                token: h.clinician, extra: [.ifMatch: "\"1\""]
            ).status == .ok)
        _ = try await created("events", #"{"kind":"discharged","occurredOn":"2026-03-20"}"#)
    }

    func bundle(_ client: some TestClientProtocol, _ course: UUID, token: String?) async throws -> (HTTPResponse.Status, Bundle?, Data) {
        let reply = try await client.execute(
            uri: "/api/v1/courses/\(course)/fhir", method: .get, headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:])
        let body = Data(buffer: reply.body)
        guard reply.status == .ok else { return (reply.status, nil, body) }
        #expect(reply.headers[.contentType] == "application/fhir+json; fhirVersion=4.0")
        return (reply.status, try JSONDecoder().decode(Bundle.self, from: body), body)
    }

    @Test func aCoursesBundleReadsAsTheCoursePageDoes() async throws {
        try await APIHarness.run(configure: { $0.export.fhirSystemBase = Self.base }) { h, client async throws in
            try await logCourse(client, h)
            let (status, found, body) = try await bundle(client, h.fixture.courseId, token: h.clinician)
            #expect(status == .ok)
            let bundle = try #require(found)
            #expect(bundle.resourceType == "Bundle" && bundle.type == "collection")
            for entry in bundle.entry { #expect(entry.fullUrl == "\(Self.base)/\(entry.resource.resourceType)/\(entry.resource.id)") }
            let patientId = h.fixture.patientId.uuidString.lowercased(), courseId = h.fixture.courseId.uuidString.lowercased()

            let patient = try #require(bundle.all("Patient").first)
            #expect(bundle.all("Patient").count == 1 && patient.id == patientId)
            #expect(patient.identifier?.first?.system == "\(Self.base)/sites/test/mrn" && patient.identifier?.first?.value == "MRN-1")
            #expect(patient.identifier?.first?.type?.codes == ["MR"])
            #expect(patient.name?.first?.family == "Doe" && patient.name?.first?.given == ["Jane"])
            #expect(patient.birthDate == "1970-02-03" && patient.gender == "female")

            let condition = try #require(bundle.all("Condition").first)
            #expect(condition.id == courseId && condition.code?.codes == ["G57.82"] && condition.subject?.reference == "Patient/\(patientId)")
            #expect(condition.bodySite?.first?.text == "left superior cluneal nerve" && condition.recordedDate == "2026-01-10")
            #expect(condition.category?.concepts.first?.codes == ["encounter-diagnosis"])
            let episode = try #require(bundle.all("EpisodeOfCare").first)
            #expect(episode.status == "finished" && episode.period?.start == "2026-01-10" && episode.period?.end == "2026-03-20")

            // The block, and the three procedures of the two sessions left (the voided one is not there).
            let procedures = bundle.all("Procedure")
            let block = try #require(procedures.first { $0.code?.codes == ["56333001"] })
            #expect(block.performedDateTime == "2026-01-10T09:30:00+00:00")
            #expect(block.extensionValue("injectate")?.valueCoding?.code == "lidocaine" && block.extensionValue("volume")?.valueQuantity?.value == 5)
            let sessions = procedures.filter { $0.id != block.id }
            #expect(
                sessions.map { $0.code?.codes ?? [] }.sorted { $0.joined() < $1.joined() } == [
                    ["dextrose", "M0076"], ["hydrodissection"], ["prp", "0232T"],
                ])
            #expect(Set(sessions.compactMap(\.performedDateTime)) == ["2026-01-12", "2026-02-02"])
            let dextrose = try #require(sessions.first { $0.code?.codes.first == "dextrose" })
            #expect(dextrose.extensionValue("dextrose-concentration")?.valueQuantity?.value == 12.5)
            #expect(sessions.first { $0.code?.codes.first == "hydrodissection" }?.extensionValue("injectate")?.valueCoding?.code == "d5w")

            // Every score as the course page shows it: the corrected one at its latest version,
            // the patient's derived from their answer.
            let observations = bundle.all("Observation")
            let nrs = observations.filter { $0.code?.codes == ["72514-3"] }
            #expect(
                nrs.map { "\($0.effectiveDateTime ?? "") \($0.valueInteger ?? -1)" }.sorted() == ["2026-01-10 8", "2026-02-16 2", "2026-02-20 3"])
            #expect(nrs.first { $0.effectiveDateTime == "2026-02-20" }?.meta?.versionId == "2")
            #expect(nrs.first { $0.effectiveDateTime == "2026-01-10" }?.extensionValue("timepoint")?.valueCode == "baseline")
            #expect(observations.filter { $0.code?.codes == ["97909-6"] }.map(\.valueInteger) == [46])
            #expect(observations.filter { $0.code?.codes == ["pgic"] }.compactMap(\.valueInteger).sorted() == [5, 6])
            let relief = try #require(observations.first { $0.code?.codes == ["block-relief-percent"] })
            #expect(
                relief.valueQuantity?.value == 62.5 && relief.interpretation?.first?.codes == ["POS"]
                    && relief.partOf?.first?.reference == "Procedure/\(block.id)")
            let answer = try #require(bundle.all("QuestionnaireResponse").first)
            #expect(bundle.all("QuestionnaireResponse").count == 1 && answer.status == "completed")
            #expect(answer.item?.first { $0.linkId == "nrs" }?.answer.first?.valueInteger == 2)
            #expect(answer.item?.first { $0.linkId == "pain_came_back" }?.answer.first?.valueBoolean == false)
            #expect(nrs.first { $0.effectiveDateTime == "2026-02-16" }?.derivedFrom?.first?.reference == "QuestionnaireResponse/\(answer.id)")

            let file = FileManager.default.temporaryDirectory.appending(path: "bundle-\(UUID()).json")
            defer { try? FileManager.default.removeItem(at: file) }
            try body.write(to: file)
            let counts = try await FHIRCheck.validate("bundle", file)
            #expect(
                counts == nil
                    || counts == ["Patient": 1, "Condition": 1, "EpisodeOfCare": 1, "Procedure": 4, "QuestionnaireResponse": 1, "Observation": 7])

            // It carries the identity out, so it is audited.
            let audit = try await AuditRepository(database: h.database).entries(AuditQuery(username: "dr.test"), identities: true)
            #expect(audit.contains { $0.action == "export" && $0.route == "GET /api/v1/courses/{id}/fhir" })
        }
    }

    @Test func aCoursesBundleIsForItsSitesCliniciansAndManagersOnly() async throws {
        try await APIHarness.run { h, client async throws in
            #expect(try await bundle(client, h.fixture.courseId, token: h.tokens["manager"]).0 == .ok)
            #expect(try await bundle(client, h.fixture.courseId, token: h.tokens["other"]).0 == .notFound)
            #expect(try await bundle(client, UUID(), token: h.clinician).0 == .notFound)
            for role in ["researcher", "admin"] {
                let (status, _, body) = try await bundle(client, h.fixture.courseId, token: h.tokens[role])
                #expect(status == .forbidden, "\(role)")
                #expect(!String(decoding: body, as: UTF8.self).contains("MRN-1"))
            }
            #expect(try await bundle(client, h.fixture.courseId, token: nil).0 == .unauthorized)
        }
    }

    func bulk(_ client: some TestClientProtocol, token: String?, query: String = "") async throws -> (HTTPResponse.Status, [String: Data], Reply) {
        let reply = try await client.get("/api/v1/exports/fhir.zip" + query, token: token)
        guard reply.status == .ok else { return (reply.status, [:], reply) }
        let archive = try Archive(data: reply.body, accessMode: .read)
        var files: [String: Data] = [:]
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            files[entry.path] = data
        }
        return (reply.status, files, reply)
    }

    @Test func theBulkExportIsValidWholeAndCarriesNoIdentity() async throws {
        try await APIHarness.run(configure: { $0.export.projectKey = "fhir and csv agree" }) { h, client async throws in
            try await logCourse(client, h)
            let other = try await client.post(
                "/api/v1/patients",
                """
                {"siteId":"\(h.fixture.siteId)","mrn":"MRN-778899","familyName":"Zebedee","givenName":"Quirina","dateOfBirth":"1931-07-19","sex":"other","phone":"+41 79 555 01 23","email":"quirina@example.org"}
                """, token: h.clinician)
            let otherId = try #require(other.json["id"] as? String)
            #expect(
                try await client.post(
                    "/api/v1/courses",
                    """
                    {"patientId":"\(otherId)","siteId":"\(h.fixture.siteId)","clinicianId":"\(h.fixture.clinicianId)","side":"right","icd10":"G57.81","startedOn":"2026-02-01"}
                    """, token: h.clinician
                ).status == .created)

            let (status, files, _) = try await bulk(client, token: h.tokens["researcher"])
            #expect(status == .ok)
            #expect(Set(files.keys) == Set(FHIRResourceType.allCases.map(\.fileName) + ["manifest.json"]))
            let folder = FileManager.default.temporaryDirectory.appending(path: "fhir-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            for (name, data) in files { try data.write(to: folder.appending(path: name)) }
            let counts = try await FHIRCheck.validate("bulk", folder)
            #expect(
                counts == nil
                    || counts == ["Patient": 2, "Condition": 2, "EpisodeOfCare": 2, "Procedure": 4, "QuestionnaireResponse": 1, "Observation": 7])

            let identities = [
                "MRN-778899", "Zebedee", "Quirina", "1931-07-19", "+41 79 555 01 23", "quirina@example.org", "MRN-1", "Doe", "Jane", "1970-02-03",
                otherId.lowercased(), h.fixture.patientId.uuidString.lowercased(), h.fixture.courseId.uuidString.lowercased(),
            ]
            for (name, data) in files {
                for identity in identities { #expect(data.range(of: Data(identity.utf8)) == nil, "\(identity) in \(name)") }
            }
            let patients = String(decoding: try #require(files["Patient.ndjson"]), as: UTF8.self)
            #expect(patients.contains(#""valueString":"90+""#) && patients.contains(#""valueString":"55-59""#) && patients.contains("PSEUDED"))

            // The manifest is Bulk Data's, its counts the files' lines and its hashes their bytes.
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let manifest = try decoder.decode(FHIRBulkManifest.self, from: try #require(files["manifest.json"]))
            #expect(manifest.output.map(\.type) == FHIRResourceType.allCases.map(\.rawValue) && manifest.requiresAccessToken)
            for output in manifest.output {
                let lines = String(decoding: try #require(files[output.url]), as: UTF8.self).split(separator: "\n")
                #expect(lines.count == output.count, "\(output.url)")
            }
            for file in manifest.extension.files { #expect(file.sha256 == Hashing.sha256Hex(try #require(files[file.name])), "\(file.name)") }

            // Under one key, a patient has one pseudonym in the CSV export and in FHIR.
            let csv = try CSV<Named>(string: try await client.get("/api/v1/exports/courses.csv", token: h.tokens["researcher"]).text).rows
            for pseudonym in Set(csv.compactMap { $0["patient_id"] }) { #expect(patients.contains(#""id":"\#(pseudonym)""#), "\(pseudonym)") }
        }
    }

    @Test func theBulkExportTakesTheCSVExportsFiltersAndRefusesWhatFHIRCannotSay() async throws {
        try await APIHarness.run { h, client async throws in
            try await logCourse(client, h)
            #expect(try await bulk(client, token: h.clinician).0 == .forbidden)
            let relative = try await bulk(client, token: h.tokens["researcher"], query: "?dates=relative").2
            #expect(relative.status == .unprocessableContent && relative.problems == ["dates:fhir_calendar_dates"])
            let bad = try await bulk(client, token: h.tokens["researcher"], query: "?from=soon&cohort=9-12").2
            #expect(bad.status == .unprocessableContent && Set(bad.problems) == ["from:date", "cohort:one_of"])
            func lines(_ files: [String: Data], _ type: FHIRResourceType) -> Int {
                String(decoding: files[type.fileName] ?? Data(), as: UTF8.self).split(separator: "\n").count
            }
            let (_, later, _) = try await bulk(client, token: h.tokens["researcher"], query: "?from=2026-02-01")
            #expect(lines(later, .patient) == 0 && lines(later, .observation) == 0)
            let (_, improved, _) = try await bulk(client, token: h.tokens["researcher"], query: "?cohort=1-2")
            #expect(lines(improved, .condition) == 1 && lines(improved, .procedure) == 4)
            // A manager of the site exports it; the audit names the route.
            #expect(try await bulk(client, token: h.tokens["manager"]).0 == .ok)
            let audit = try await AuditRepository(database: h.database).entries(AuditQuery(username: "mgr.test"), identities: true)
            #expect(audit.contains { $0.action == "export" && $0.route == "GET /api/v1/exports/fhir.zip" })
        }
    }
}
