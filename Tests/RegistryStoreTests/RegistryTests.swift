import Foundation
import PostgresNIO
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite struct RegistryTests {
    @Test func aDuplicateMRNAtOneSiteIsAConflictAndWritesNothing() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let registry = try Repositories.testing(database)
            let counts = try await database.rowCounts()
            let duplicate = NewPatient(
                siteId: fixture.siteId, mrn: "MRN-1", familyName: "Other", givenName: "Person",
                dateOfBirth: CalendarDate(iso: "1980-01-01")!, sex: .male, phone: nil, email: nil)
            await #expect(throws: StoreError.conflict(field: "mrn", message: "a patient with this MRN is already registered at this site")) {
                try await database.transaction { try await registry.patients.insertPatient(duplicate, actor: Fixture.actor, on: $0) }
            }
            #expect(try await database.rowCounts() == counts)
        }
    }

    @Test func everyCreateIsAuditedWithTheRowAsWritten() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let registry = try Repositories.testing(database)
            let session = try await database.transaction { connection in
                try await registry.courses.insertSession(
                    NewSession(
                        sessionOn: CalendarDate(iso: "2026-02-01")!, clinicianId: nil, notes: "first",
                        procedures: [NewProcedure(kind: .hydrodissection, injectate: .d5w, volumeMl: 10)]),
                    courseId: fixture.courseId, clinicianId: fixture.clinicianId, actor: Fixture.actor, on: connection)
            }
            let row = try await database.withConnection {
                try await $0.query(
                    """
                    SELECT action, actor_label, route, after->>'session_on', after->'procedures'->0->>'injectate'
                    FROM audit_log WHERE record_id = \(session.id)
                    """, logger: TestDatabase.logger
                ).decode((String, String, String, String, String).self).first { _ in true }
            }
            let audit = try #require(row)
            #expect(audit.0 == "create" && audit.1 == "test" && audit.2 == "tests")
            #expect(audit.3 == "2026-02-01" && audit.4 == "d5w")
        }
    }

    @Test func anIdempotencyKeyWritesOnceAndRefusesAnotherRequest() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let courses = Repositories(database: database, rules: try TestDatabase.config().clinical, followUp: try TestDatabase.config().followUp)
                .courses
            let score = NewPainScore(recordedOn: CalendarDate(iso: "2026-02-01")!, timepoint: .followUp, nrs: 3)
            func write(_ hash: String) async throws -> Written {
                try await courses.addPainScore(
                    score, to: fixture.courseId, scope: nil, by: Fixture.actor, idempotency: Idempotency(key: "k-1", requestHash: hash))
            }
            let first = try await write("h1")
            let second = try await write("h1")
            #expect(first.body == second.body && !first.replayed && second.replayed)
            #expect(String(decoding: first.body, as: UTF8.self).contains("\"nrs\":3"))
            let registry = try Repositories.testing(database)
            let scores = try await database.rowCounts()["pain_scores"]
            #expect(scores == 1)
            await #expect(throws: StoreError.idempotencyKeyReused) { try await write("h2") }
        }
    }

    @Test func concurrentRetriesWithOneKeyWriteOnce() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let courses = Repositories(database: database, rules: try TestDatabase.config().clinical, followUp: try TestDatabase.config().followUp)
                .courses
            let event = NewCourseEvent(kind: .discharged, occurredOn: CalendarDate(iso: "2026-03-01")!)
            let responses = try await withThrowingTaskGroup(of: Data.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await courses.addEvent(
                            event, to: fixture.courseId, scope: nil, by: Fixture.actor, idempotency: Idempotency(key: "same", requestHash: "h")
                        ).body
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(responses).count == 1)
            let registry = try Repositories.testing(database)
            #expect(try await database.rowCounts()["course_events"] == 1)
        }
    }

    @Test func pagesAreNewestFirstAndCursorsNeitherSkipNorRepeat() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let registry = try Repositories.testing(database)
            for index in 0..<7 {
                _ = try await database.transaction { connection in
                    try await registry.patients.insertPatient(
                        NewPatient(
                            siteId: fixture.siteId, mrn: "P-\(index)", familyName: "F", givenName: "G",
                            dateOfBirth: CalendarDate(iso: "1970-01-01")!, sex: .other, phone: nil, email: nil),
                        actor: Fixture.actor, on: connection)
                }
            }
            var seen: [String] = []
            var cursor: PageRequest.Cursor?
            repeat {
                let page = try await database.withConnection {
                    try await registry.patients.patients(page: PageRequest(limit: 3, after: cursor), on: $0)
                }
                seen += page.items.map(\.record.mrn)
                cursor = page.nextCursor.flatMap(PageRequest.Cursor.init(text:))
            } while cursor != nil
            #expect(seen == ["P-6", "P-5", "P-4", "P-3", "P-2", "P-1", "P-0", "MRN-1"])
        }
    }

    @Test func theTimelineHoldsEverythingInDateOrderWithBlockVerdicts() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let registry = try Repositories.testing(database)
            let rules = try TestDatabase.config().clinical.block
            try await database.transaction { connection in
                _ = try await registry.courses.insertBlock(
                    NewBlock(
                        performedAt: Date(timeIntervalSince1970: 1_768_100_000), side: .left, agent: .lidocaine,
                        volumeMl: 5, nrsBefore: 8, nrsAfter: 3, assessedMinutesAfter: 10),
                    courseId: fixture.courseId, rules: rules, actor: Fixture.actor, on: connection)
                for day in ["2026-03-01", "2026-02-01"] {
                    _ = try await registry.courses.insertSession(
                        NewSession(
                            sessionOn: CalendarDate(iso: day)!, clinicianId: nil, notes: nil,
                            procedures: [
                                NewProcedure(kind: .prp, volumeMl: 4, leukocytes: .poor),
                                NewProcedure(kind: .dextrose, volumeMl: 5, dextrosePercent: 15),
                            ]),
                        courseId: fixture.courseId, clinicianId: fixture.clinicianId, actor: Fixture.actor, on: connection)
                }
            }
            let timeline = try #require(
                try await database.withConnection { try await registry.courses.timeline(fixture.courseId, rules: rules, on: $0) })
            #expect(timeline.blocks.first?.reliefPercent == 62.5 && timeline.blocks.first?.positive == true)
            #expect(timeline.sessions.map(\.sessionOn.description) == ["2026-02-01", "2026-03-01"])
            #expect(timeline.sessions[0].procedures.map(\.kind) == [.prp, .dextrose])
        }
    }
}
