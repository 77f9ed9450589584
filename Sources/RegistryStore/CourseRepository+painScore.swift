import Foundation
import PostgresNIO
import RegistryCore

extension CourseRepository {
    /// A clinician's pain score, with the same rules as every other course record (`add`), in
    /// one round trip: `add_pain_score` (Schema/0009) claims the key, locks the course, checks
    /// the date and writes the score, its audit row and the key's answer, which is known before
    /// the write because the record's id is chosen here.
    public func addPainScore(_ score: NewPainScore, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?) async throws -> Written {
        let record = PainScoreRecord(id: UUID(), courseId: courseId, score: score, source: .clinician, version: 1, void: nil)
        let body = try RecordJSON.encode(record)
        let statement = AddPainScore(record: record, sites: scope.map(Array.init), actor: actor, idempotency: idempotency, response: body)
        let stored: (requestHash: String?, response: Data?)?
        do {
            stored = try await database.withConnection { try await $0.execute(statement, logger: logger).first { _ in true } }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "P0002" {
            throw StoreError.notFound("course \(courseId)")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "RG001" {
            // The database refused a score dated before the course's start (its message): the
            // rule's own check says how, and agreeing with it is tested (PainScoreWriteTests).
            guard let start = error.serverInfo?[.message].flatMap({ CalendarDate(iso: $0) }) else { throw error }
            try score.checkNotBefore(courseStart: start)
            throw error
        }
        guard let requestHash = stored?.requestHash, let response = stored?.response else { return Written(body: body, replayed: false) }
        guard requestHash == idempotency?.requestHash else { throw StoreError.idempotencyKeyReused }
        return Written(body: response, replayed: true)
    }
}

/// `add_pain_score` as a named prepared statement: parsed and planned once per connection.
private struct AddPainScore: PostgresPreparedStatement {
    static let sql = """
        SELECT stored_request_hash, stored_response
        FROM add_pain_score($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, $11, $12, $13, $14)
        """
    /// Declared rather than inferred from the first call's values, whose nulls have no type.
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .bytea, .uuidArray, .uuid, .uuid, .text, .text, .int4, .int4, .int4,
                                                        .uuid, .text, .text]
    typealias Row = (requestHash: String?, response: Data?)

    let record: PainScoreRecord
    let sites: [UUID]?
    let actor: Actor
    let idempotency: Idempotency?
    let response: Data

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(idempotency?.key)
        bindings.append(idempotency?.requestHash)
        try bindings.append(response)
        try bindings.append(sites)
        bindings.append(record.id)
        bindings.append(record.courseId)
        bindings.append(record.recordedOn.description)
        bindings.append(record.timepoint.rawValue)
        bindings.append(Int32(record.nrs))
        bindings.append(record.odi.map(Int32.init))
        bindings.append(record.pgic.map(Int32.init))
        bindings.append(actor.userId)
        bindings.append(actor.label)
        bindings.append(actor.route)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode((String?, Data?).self)
    }
}
