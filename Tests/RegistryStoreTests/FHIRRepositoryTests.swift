import Foundation
import PostgresNIO
import RegistryCore
import RegistryDevTools
import RegistryTestSupport
import Testing

@testable import RegistryStore

/// The Bulk export of a whole registry (the demo data) is valid FHIR R4 and holds one resource
/// for each record it should, counted from the tables themselves.
@Suite struct FHIRRepositoryTests {
    @Test func theDemoRegistrysBulkExportIsValidFHIRWhole() async throws {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let registry = try Repositories.testing(database)
            try await DemoData(courses: 300, today: CalendarDate(iso: "2026-11-25")!).load(
                into: registry, auth: config.auth)
            let plan = ExportPlan(
                selection: ExportSelection(), scope: nil, deidentifier: Deidentifier(projectKey: nil, dates: .shifted),
                includeNotes: false, rules: config.clinical)
            var sink = MemorySink()
            let manifest = try await FHIRRepository(database: database, systemBase: config.export.fhirSystemBase)
                .bulk(plan, by: Fixture.actor, request: "test", to: &sink)
            let folder = FileManager.default.temporaryDirectory.appending(path: "fhir-demo-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            for (name, text) in sink.files { try Data(text.utf8).write(to: folder.appending(path: name)) }

            let expected = try await database.withConnection { connection in
                let row = try await connection.query(
                    """
                    SELECT (SELECT count(DISTINCT patient_id) FROM treatment_courses WHERE voided_at IS NULL),
                           (SELECT count(*) FROM treatment_courses WHERE voided_at IS NULL),
                           (SELECT count(*) FROM diagnostic_blocks b JOIN treatment_courses c ON c.id = b.course_id
                             WHERE b.voided_at IS NULL AND c.voided_at IS NULL),
                           (SELECT count(*) FROM procedures p JOIN treatment_sessions s ON s.id = p.session_id JOIN treatment_courses c ON c.id = s.course_id
                             WHERE s.voided_at IS NULL AND c.voided_at IS NULL),
                           (SELECT count(*) + count(p.odi) + count(p.pgic) FROM pain_scores p JOIN treatment_courses c ON c.id = p.course_id
                             WHERE p.voided_at IS NULL AND c.voided_at IS NULL)
                    """, logger: TestDatabase.logger
                ).collect()
                let (patients, courses, blocks, procedures, scores) = try row[0].decode((Int, Int, Int, Int, Int).self)
                return [
                    "Patient": patients, "Condition": courses, "EpisodeOfCare": courses, "Procedure": blocks + procedures,
                    "Observation": scores + blocks, "QuestionnaireResponse": 0,
                ]
            }
            #expect(Dictionary(uniqueKeysWithValues: manifest.output.map { ($0.type, $0.count) }) == expected)
            #expect(expected["Patient"] ?? 0 > 100 && expected["Observation"] ?? 0 > 1000)
            let counts = try await FHIRCheck.validate("bulk", folder)
            #expect(counts == nil || counts == expected.filter { $0.value > 0 })
        }
    }

    @Test func relativeDatesCannotBeWrittenAsFHIR() async throws {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let plan = ExportPlan(
                selection: ExportSelection(), scope: nil, deidentifier: Deidentifier(projectKey: nil, dates: .relative),
                includeNotes: false, rules: config.clinical)
            var sink = MemorySink()
            await #expect(throws: ExportRequest.fhirNeedsCalendarDates) {
                _ = try await FHIRRepository(database: database, systemBase: config.export.fhirSystemBase).bulk(
                    plan, by: Fixture.actor, request: "test", to: &sink)
            }
            #expect(sink.files.isEmpty)
        }
    }
}
