import Foundation
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Pain scores sent at the same time by one caller are written in batches (`add_pain_scores`,
/// Schema/functions/add_pain_scores.sql). Each score still gets the answer it would get alone: written once, replayed
/// for a retried key, refused for an absent course or an early date, and nothing else is lost
/// when one score of a batch breaks a rule only the database knows.
@Suite struct PainScoreBatchTests {
    let actor = Actor(userId: nil, label: "test", route: "POST test")

    enum Answer: Equatable {
        case created(Data), replayed(Data), notFound, early, refused
    }

    /// Sends every score at once, as concurrent requests would, and collects each one's answer.
    func sendTogether(_ scores: [(NewPainScore, UUID, Idempotency?)], to courses: CourseRepository) async -> [Answer] {
        await withTaskGroup(of: (Int, Answer).self) { group in
            for (n, (score, course, key)) in scores.enumerated() {
                group.addTask {
                    do {
                        let written = try await courses.addPainScore(score, to: course, scope: nil, by: actor, idempotency: key)
                        return (n, written.replayed ? .replayed(written.body) : .created(written.body))
                    } catch StoreError.notFound {
                        return (n, .notFound)
                    } catch let failure as ValidationFailure where failure.problems.map(\.field) == ["recordedOn"] {
                        return (n, .early)
                    } catch {
                        return (n, .refused)
                    }
                }
            }
            var answers = [Answer](repeating: .refused, count: scores.count)
            for await (n, answer) in group { answers[n] = answer }
            return answers
        }
    }

    func rows(_ database: RegistryDatabase) async throws -> (scores: Int, audit: Int, keys: Int, commits: Int) {
        try await database.withConnection { connection in
            try await connection.query(
                """
                SELECT (SELECT count(*)::int FROM pain_scores), (SELECT count(*)::int FROM audit_log WHERE record_table = 'pain_scores'),
                       (SELECT count(*)::int FROM idempotency_keys), (SELECT count(DISTINCT created_at)::int FROM pain_scores)
                """, logger: TestDatabase.logger
            ).decode((Int, Int, Int, Int).self).first { _ in true }!
        }
    }

    @Test func scoresSentTogetherEachGetTheirOwnAnswer() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let courses = Repositories(database: database, rules: try TestDatabase.config().clinical, followUp: try TestDatabase.config().followUp)
                .courses
            let day = Fixture.courseStart
            let before = try await rows(database)
            var scores: [(NewPainScore, UUID, Idempotency?)] = []
            for n in 0..<16 {
                scores.append(
                    (
                        NewPainScore(recordedOn: day, timepoint: .followUp, nrs: n % 11), fixture.courseId,
                        Idempotency(key: "own-\(n)", requestHash: "h")
                    ))
            }
            for n in 0..<8 {
                scores.append(
                    (
                        NewPainScore(recordedOn: day, timepoint: .followUp, nrs: 5), fixture.courseId,
                        Idempotency(key: "twice-\(n / 2)", requestHash: "h")
                    ))
            }
            for _ in 0..<8 {
                scores.append(
                    (NewPainScore(recordedOn: day, timepoint: .followUp, nrs: 5), UUID(), Idempotency(key: UUID().uuidString, requestHash: "h")))
            }
            for n in 0..<8 {
                scores.append((NewPainScore(recordedOn: day.adding(days: -1 - n), timepoint: .followUp, nrs: 5), fixture.courseId, nil))
            }
            for _ in 0..<8 { scores.append((NewPainScore(recordedOn: day, timepoint: .baseline, nrs: 6, odi: 30, pgic: nil), fixture.courseId, nil)) }

            let answers = await sendTogether(scores, to: courses)

            #expect(answers[0..<16].allSatisfy { if case .created = $0 { true } else { false } })
            for pair in stride(from: 16, to: 24, by: 2) {
                // The same key twice: one write, and the other gets its answer.
                let bodies = answers[pair...pair + 1].compactMap { answer -> Data? in
                    switch answer {
                    case .created(let body), .replayed(let body): body
                    default: nil
                    }
                }
                #expect(bodies.count == 2 && bodies[0] == bodies[1], "\(answers[pair...pair + 1])")
                #expect(answers[pair...pair + 1].filter { if case .replayed = $0 { true } else { false } }.count == 1)
            }
            #expect(answers[24..<32].allSatisfy { $0 == .notFound })
            #expect(answers[32..<40].allSatisfy { $0 == .early })
            #expect(answers[40..<48].allSatisfy { if case .created = $0 { true } else { false } })
            let after = try await rows(database)
            #expect(after.scores - before.scores == 16 + 4 + 8)
            #expect(after.audit - before.audit == 16 + 4 + 8)
            #expect(after.keys - before.keys == 16 + 4)
            // Scores of one batch share its transaction's time: fewer commits than scores.
            #expect(after.commits < after.scores, "\(after)")
        }
    }

    /// A score the database refuses for a rule the application did not check (here an NRS of 11,
    /// which the API refuses long before) fails its batch; every other score is then written
    /// alone, and only the bad one is refused.
    @Test func oneBadScoreDoesNotCostTheOthersOfItsBatch() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let courses = Repositories(database: database, rules: try TestDatabase.config().clinical, followUp: try TestDatabase.config().followUp)
                .courses
            let before = try await rows(database)
            var scores: [(NewPainScore, UUID, Idempotency?)] = (0..<12).map { n in
                (
                    NewPainScore(recordedOn: Fixture.courseStart, timepoint: .followUp, nrs: 4), fixture.courseId,
                    Idempotency(key: "good-\(n)", requestHash: "h")
                )
            }
            scores.insert(
                (
                    NewPainScore(recordedOn: Fixture.courseStart, timepoint: .followUp, nrs: 11), fixture.courseId,
                    Idempotency(key: "bad", requestHash: "h")
                ), at: 6)

            let answers = await sendTogether(scores, to: courses)

            #expect(answers[6] == .refused)
            #expect(answers.enumerated().filter { $0.offset != 6 }.allSatisfy { if case .created = $0.element { true } else { false } })
            let after = try await rows(database)
            #expect(after.scores - before.scores == 12 && after.keys - before.keys == 12 && after.audit - before.audit == 12)
        }
    }

    /// A key that another request (on another server) claims while a batch is being written: the
    /// batch waits for that request to commit, then answers every score that carried the key as
    /// that request did, writes none of them, and writes the rest.
    @Test func aKeyClaimedMeanwhileIsReplayedForEveryScoreThatCarriedIt() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let logger = TestDatabase.logger
            func batch(_ keys: [String], hash: String) -> PostgresQuery {
                let n = Int32(keys.count)
                return """
                    SELECT outcome, stored_request_hash FROM add_pain_scores(\(keys), array_fill(\(hash)::text, ARRAY[\(n)]), array_fill('\\x00'::bytea, ARRAY[\(n)]),
                        NULL, \(keys.map { _ in UUID() }), array_fill(\(fixture.courseId)::uuid, ARRAY[\(n)]), array_fill(\(Fixture.courseStart.description)::date, ARRAY[\(n)]),
                        array_fill('follow_up'::text, ARRAY[\(n)]), array_fill(4, ARRAY[\(n)]), array_fill(-1, ARRAY[\(n)]), array_fill(-1, ARRAY[\(n)]), array_fill('clinician'::text, ARRAY[\(n)]), NULL, 'test', 'tests') ORDER BY item
                    """
            }
            @Sendable func answers(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [String] {
                var answers: [String] = []
                for try await (outcome, hash) in try await connection.query(query, logger: logger).decode((String, String?).self) {
                    answers.append("\(outcome) \(hash ?? "-")")
                }
                return answers
            }
            let before = try await rows(database)
            try await database.withConnection { first in
                try await first.query("BEGIN", logger: logger)
                #expect(try await answers(batch(["shared"], hash: "first"), on: first) == ["created -"])
                let second = Task {
                    try await database.withConnection { try await answers(batch(["own", "shared", "shared"], hash: "second"), on: $0) }
                }
                // Until the second batch waits on the key the first holds.
                var waits = false
                for _ in 0..<500 where !waits {
                    waits =
                        try await first.query("SELECT count(*) > 0 FROM pg_locks WHERE NOT granted", logger: logger).decode(Bool.self).first { _ in
                            true
                        } ?? false
                    if !waits { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(waits)
                try await first.query("COMMIT", logger: logger)
                #expect(try await second.value == ["created -", "replayed first", "replayed first"])
            }
            let after = try await rows(database)
            #expect(after.scores - before.scores == 2 && after.keys - before.keys == 2 && after.audit - before.audit == 2)
        }
    }
}
