import Foundation
import NIOCore
import PostgresNIO
import RegistryCore

/// `add_pain_scores` (Schema/functions/add_pain_scores.sql), the one statement every pain score
/// is written with, whoever enters it: a clinician (through `PainScoreBatches`), a patient's
/// answer and an imported course (in their own transactions, through `addPainScores`). One array
/// per field, in the order of `writes`.
struct AddPainScores: PostgresPreparedStatement {
    static let sql = """
        SELECT outcome, stored_request_hash, stored_response, course_start::text
        FROM add_pain_scores($1, $2, $3, $4, $5, $6, $7::date[], $8, $9, $10, $11, $12, $13, $14, $15) ORDER BY item
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .textArray, .textArray, .byteaArray, .uuidArray, .uuidArray, .uuidArray, .textArray,
        .textArray, .int4Array, .int4Array, .int4Array, .textArray, .uuid, .text, .text,
    ]
    /// nil: an outcome this code does not know.
    typealias Row = PainScoreOutcome?

    let writes: [PainScoreWrite]
    let writer: PainScoreWriter

    func makeBindings() throws -> PostgresBindings {
        let records = writes.map(\.record)
        var bindings = PostgresBindings(capacity: 15)
        bindings.append(writes.map { $0.idempotency?.key ?? "" })
        bindings.append(writes.map { $0.idempotency?.requestHash ?? "" })
        try bindings.append(writes.map { ByteBuffer(bytes: $0.response) })
        try bindings.append(writer.sites.map(Array.init))
        bindings.append(records.map(\.id))
        bindings.append(records.map(\.courseId))
        bindings.append(records.map(\.recordedOn.description))
        bindings.append(records.map(\.timepoint.rawValue))
        bindings.append(records.map { Int32($0.nrs) })
        bindings.append(records.map { Int32($0.odi ?? -1) })
        bindings.append(records.map { Int32($0.pgic ?? -1) })
        bindings.append(records.map(\.source.rawValue))
        writer.actor.bind(to: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (outcome, requestHash, response, start) = try row.decode((String, String?, Data?, String?).self)
        switch outcome {
        case "created": return .created
        case "replayed": return .replayed(requestHash: requestHash, response: response)
        case "not_found": return .notFound
        case "before_start": return start.flatMap(CalendarDate.init(iso:)).map { .beforeStart($0) }
        default: return nil
        }
    }
}

extension Repository {
    /// Writes scores without idempotency keys in the caller's transaction, through the same
    /// statement as a clinician's: a course that is absent, voided or outside `writer.sites` is
    /// not found, a score dated before the course started breaks its rule, and either rolls
    /// back the caller's transaction.
    @discardableResult
    func addPainScores(
        _ scores: [NewPainScore], to courseId: UUID, source: ScoreSource, by writer: PainScoreWriter, on connection: PostgresConnection
    ) async throws -> [PainScoreRecord] {
        guard !scores.isEmpty else { return [] }
        let records = scores.map { PainScoreRecord(id: .timeOrdered(), courseId: courseId, score: $0, source: source, version: 1, void: nil) }
        let writes = try records.map { PainScoreWrite(record: $0, response: try RecordJSON.encode($0), idempotency: nil) }
        var n = 0
        for try await outcome in try await connection.execute(AddPainScores(writes: writes, writer: writer), logger: logger) {
            guard let outcome else { throw UnknownOutcome(text: "unknown outcome") }
            try outcome.requireCreated(scores[n], courseId: courseId)
            n += 1
        }
        return records
    }
}

extension PainScoreOutcome {
    /// Nothing when the score was written; else the error its caller gets (a replay is answered
    /// by the caller that sent a key).
    func requireCreated(_ score: NewPainScore, courseId: UUID) throws {
        switch self {
        case .created: return
        case .notFound: throw StoreError.notFound("course \(courseId)")
        case .beforeStart(let start):
            // The database's refusal, said by the rule's own check (they agree: PainScoreWriteTests).
            try score.checkNotBefore(courseStart: start)
            throw StoreError.constraint(name: "pain_scores_not_before_course_start", message: "recorded before the course started on \(start)")
        case .replayed: throw UnknownOutcome(text: "replayed without a key")
        }
    }
}

/// A batch whose answer for a score could not be read (a bug: the tests cover every outcome).
struct UnknownOutcome: Error {
    let text: String
}

private extension Actor {
    /// The audit columns: who, by which label, through which route.
    func bind(to bindings: inout PostgresBindings) {
        bindings.append(userId)
        bindings.append(label)
        bindings.append(route)
    }
}
