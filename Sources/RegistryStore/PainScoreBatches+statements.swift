import Foundation
import NIOCore
import PostgresNIO
import RegistryCore

/// `add_pain_scores`: the batch, one array per field, in the order of `writes`.
struct AddPainScores: PostgresPreparedStatement {
    static let sql = """
        SELECT outcome, stored_request_hash, stored_response, course_start::text
        FROM add_pain_scores($1, $2, $3, $4, $5, $6, $7::date[], $8, $9, $10, $11, $12, $13, $14) ORDER BY item
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .textArray, .textArray, .byteaArray, .uuidArray, .uuidArray, .uuidArray, .textArray,
        .textArray, .int4Array, .int4Array, .int4Array, .uuid, .text, .text,
    ]
    /// nil: an outcome this code does not know.
    typealias Row = PainScoreOutcome?

    let writes: [PainScoreWrite]
    let writer: PainScoreWriter

    func makeBindings() throws -> PostgresBindings {
        let records = writes.map(\.record)
        var bindings = PostgresBindings(capacity: 14)
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
