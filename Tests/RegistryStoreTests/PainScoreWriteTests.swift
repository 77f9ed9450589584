import Foundation
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// A clinician's pain score is written by one database function (`add_pain_scores`), so the rules
/// every other course record gets in Swift (`CourseRepository.add`) are held to it here: the same
/// answers, the same refusals, nothing half-written.
@Suite struct PainScoreWriteTests {
    let actor = Actor(userId: nil, label: "test", route: "POST test")

    func count(_ database: RegistryDatabase, _ table: String) async throws -> Int {
        try await database.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestDatabase.logger).decode(Int.self)
                .first { _ in true } ?? 0
        }
    }

    func courses(_ database: RegistryDatabase) throws -> CourseRepository {
        Repositories(database: database, rules: try TestDatabase.config().clinical, followUp: try TestDatabase.config().followUp).courses
    }

    /// The statement is prepared once per connection: later calls with values where the first had
    /// nulls (and the reverse) must bind the same types.
    @Test func oneConnectionWritesScoresWithAndWithoutOptionalValues() async throws {
        try await TestDatabase.withFresh { fresh in
            let fixture = try await Fixture.make(fresh)
            try await RegistryDatabase.withRunning(url: fresh.url, poolSize: 1, logger: TestDatabase.logger) { database in
                let courses = try courses(database)
                let day = Fixture.courseStart
                let scores = [
                    NewPainScore(recordedOn: day, timepoint: .baseline, nrs: 7),
                    NewPainScore(recordedOn: day, timepoint: .followUp, nrs: 3, odi: 20, pgic: 2),
                    NewPainScore(recordedOn: day, timepoint: .followUp, nrs: 2, odi: nil, pgic: 1),
                    NewPainScore(recordedOn: day, timepoint: .followUp, nrs: 0),
                ]
                for (n, score) in scores.enumerated() {
                    let written = try await courses.addPainScore(
                        score, to: fixture.courseId, scope: [fixture.siteId], by: actor,
                        idempotency: n.isMultiple(of: 2) ? nil : Idempotency(key: "k\(n)", requestHash: "h"))
                    let record = try JSONDecoder().decode(PainScoreRecord.self, from: written.body)
                    #expect(record.nrs == score.nrs && record.odi == score.odi && record.pgic == score.pgic && !written.replayed)
                }
                let timeline = try #require(try await courses.timeline(fixture.courseId, scope: nil))
                #expect(timeline.painScores.map(\.nrs).sorted() == [0, 2, 3, 7])
                #expect(timeline.painScores.map(\.odi).compactMap { $0 } == [20])
            }
        }
    }

    /// The date rule is in Swift (`checkNotBefore`) and in the function; on each side of the
    /// course's start they agree, and the refusal is Swift's, naming the field.
    @Test(arguments: [-400, -1, 0, 1, 30])
    func theDatabaseAndSwiftAgreeOnTheCoursesStart(days: Int) async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let day = Fixture.courseStart.adding(days: days)
            let score = NewPainScore(recordedOn: day, timepoint: .followUp, nrs: 4)
            let swiftRefuses = (try? score.checkNotBefore(courseStart: Fixture.courseStart)) == nil
            #expect(swiftRefuses == (days < 0))
            let before = try await count(database, "pain_scores")
            do {
                _ = try await courses(database).addPainScore(
                    score, to: fixture.courseId, scope: nil, by: actor, idempotency: Idempotency(key: "d\(days)", requestHash: "h"))
                #expect(!swiftRefuses)
                #expect(try await count(database, "pain_scores") == before + 1)
            } catch let failure as ValidationFailure {
                #expect(swiftRefuses)
                #expect(failure.problems.map(\.field) == ["recordedOn"])
                #expect(try await count(database, "pain_scores") == before)
                #expect(try await count(database, "idempotency_keys") == 0)
            }
        }
    }

    @Test func aRetriedKeyIsAnsweredAgainAndOtherRefusalsWriteNothing() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let courses = try courses(database)
            let score = NewPainScore(recordedOn: Fixture.courseStart, timepoint: .followUp, nrs: 4)
            let key = Idempotency(key: "same", requestHash: "h1")
            let first = try await courses.addPainScore(score, to: fixture.courseId, scope: nil, by: actor, idempotency: key)
            let again = try await courses.addPainScore(score, to: fixture.courseId, scope: nil, by: actor, idempotency: key)
            #expect(again.replayed && again.body == first.body)
            let counts = (
                try await count(database, "pain_scores"), try await count(database, "audit_log"), try await count(database, "idempotency_keys")
            )
            await #expect(throws: StoreError.idempotencyKeyReused) {
                try await courses.addPainScore(
                    score, to: fixture.courseId, scope: nil, by: actor, idempotency: Idempotency(key: "same", requestHash: "h2"))
            }
            await #expect(throws: StoreError.notFound("course \(fixture.courseId)")) {
                try await courses.addPainScore(
                    score, to: fixture.courseId, scope: [fixture.otherSiteId], by: actor, idempotency: Idempotency(key: "scope", requestHash: "h"))
            }
            let absent = UUID()
            await #expect(throws: StoreError.notFound("course \(absent)")) {
                try await courses.addPainScore(score, to: absent, scope: nil, by: actor, idempotency: Idempotency(key: "absent", requestHash: "h"))
            }
            #expect(
                (try await count(database, "pain_scores"), try await count(database, "audit_log"), try await count(database, "idempotency_keys"))
                    == counts)
        }
    }

    /// The function checks each score's date against its course's start itself, so its insert
    /// skips the row trigger that checks it again (Schema/functions/add_pain_scores.sql), and only that insert: later in
    /// the same transaction, a direct insert dated before the start is still refused.
    @Test func theTriggerIsSkippedOnlyForTheFunctionsOwnInsert() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let (course, start, logger) = (fixture.courseId, Fixture.courseStart, TestDatabase.logger)
            let before = try await count(database, "pain_scores")
            let error = await #expect(throws: StoreError.self) {
                try await database.transaction { connection in
                    let call: PostgresQuery = """
                        SELECT outcome FROM add_pain_scores(\(["k"]), \(["h"]), ARRAY['\\x00'::bytea], NULL, \([UUID()]), \([course]), ARRAY[\(start.description)]::date[],
                                                            \(["follow_up"]), \([Int32(4)]), \([Int32(-1)]), \([Int32(-1)]), \(["clinician"]), NULL, 'test', 'tests')
                        """
                    let outcome = try await connection.query(call, logger: logger).decode(String.self).first { _ in true }
                    #expect(outcome == "created")
                    try await connection.query(
                        """
                        INSERT INTO pain_scores (course_id, recorded_on, timepoint, nrs) VALUES (\(course), \(start.adding(days: -1).description)::date, 'follow_up', 3)
                        """, logger: logger)
                }
            }
            guard case .constraint(let name, _) = error else {
                Issue.record("\(String(describing: error)) is not a constraint violation")
                return
            }
            #expect(name == "pain_scores_not_before_course_start")
            #expect(try await count(database, "pain_scores") == before)
        }
    }
}
