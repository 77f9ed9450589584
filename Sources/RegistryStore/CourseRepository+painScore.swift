import Foundation
import RegistryCore

extension CourseRepository {
    /// A clinician's pain score, with the same rules as every other course record (`add`): the
    /// database (`add_pain_scores`, Schema/functions/add_pain_scores.sql) replays a used key, locks the
    /// course, checks the date and writes the score, its audit row and the key's answer, which is
    /// known before the write because the record's id is chosen here. Scores sent at the same time by one caller
    /// share that statement and a commit (`PainScoreBatches`).
    public func addPainScore(
        _ score: NewPainScore, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        let record = PainScoreRecord(id: .timeOrdered(), courseId: courseId, score: score, source: .clinician, version: 1, void: nil)
        let body = try RecordJSON.encode(record)
        let write = PainScoreWrite(record: record, response: body, idempotency: idempotency)
        switch try await painScores.write(write, by: PainScoreWriter(actor: actor, sites: scope)) {
        case .created:
            return Written(body: body, replayed: false)
        case .replayed(let requestHash, let response):
            guard let requestHash, let response else { return Written(body: body, replayed: false) }
            guard requestHash == idempotency?.requestHash else { throw StoreError.idempotencyKeyReused }
            return Written(body: response, replayed: true)
        case .notFound:
            throw StoreError.notFound("course \(courseId)")
        case .beforeStart(let start):
            // The database's refusal, said by the rule's own check (they agree: PainScoreWriteTests).
            try score.checkNotBefore(courseStart: start)
            throw StoreError.constraint(name: "pain_scores_not_before_course_start", message: "recorded before the course started on \(start)")
        }
    }
}
