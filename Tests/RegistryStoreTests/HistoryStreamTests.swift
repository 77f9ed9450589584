import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite struct HistoryStreamTests {
    @Test func historiesStreamWholeAndVoidedRecordsNeverReachTheAnalysis() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let registry = try Repositories.testing(database)
            let logger = TestDatabase.logger
            let day = { (text: String) in CalendarDate(iso: text)! }
            let (kept, voided) = try await database.transaction { connection in
                _ = try await registry.courses.insertSession(
                    NewSession(
                        sessionOn: day("2026-01-12"), clinicianId: nil, notes: nil,
                        procedures: [
                            NewProcedure(kind: .hydrodissection, injectate: .d5w, volumeMl: 10),
                            NewProcedure(kind: .prp, volumeMl: 4, leukocytes: .rich),
                        ]),
                    courseId: fixture.courseId, clinicianId: fixture.clinicianId, actor: Fixture.actor, on: connection)
                let kept = try await registry.courses.addPainScores(
                    [NewPainScore(recordedOn: day("2026-02-01"), timepoint: .followUp, nrs: 2)], to: fixture.courseId, source: .clinician,
                    by: PainScoreWriter(actor: Fixture.actor, sites: nil), on: connection)[0]
                let voided = try await registry.courses.addPainScores(
                    [NewPainScore(recordedOn: day("2026-02-02"), timepoint: .followUp, nrs: 9)], to: fixture.courseId, source: .clinician,
                    by: PainScoreWriter(actor: Fixture.actor, sites: nil), on: connection)[0]
                _ = try await registry.courses.insertEvent(
                    NewCourseEvent(kind: .discharged, occurredOn: day("2026-03-01")), courseId: fixture.courseId,
                    actor: Fixture.actor, on: connection)
                return (kept, voided)
            }
            try await database.withConnection {
                try await $0.query(
                    "UPDATE pain_scores SET voided_at = now(), void_reason = 'entered on the wrong patient' WHERE id = \(voided.id)", logger: logger)
            }
            var histories: [CourseHistory] = []
            try await database.withConnection { try await registry.reports.streamHistories(on: $0) { histories.append($0) } }
            let history = try #require(histories.first)
            #expect(histories.count == 1)
            #expect(history.procedures.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.hydrodissection, .prp])
            #expect(history.scores.map(\.nrs) == [kept.nrs])
            #expect(history.events.map(\.kind) == [.discharged])
            #expect(history.startedOn == Fixture.courseStart && history.siteId == fixture.siteId)

            try await database.withConnection {
                try await $0.query(
                    "UPDATE treatment_courses SET voided_at = now(), void_reason = 'duplicate course' WHERE id = \(fixture.courseId)", logger: logger)
            }
            var afterVoid = 0
            try await database.withConnection { try await registry.reports.streamHistories(on: $0) { _ in afterVoid += 1 } }
            #expect(afterVoid == 0)
        }
    }
}
