import Foundation
import RegistryCore
import RegistryWeb

/// A form shown again, as it is kept between the POST that could not be saved and the page that
/// shows it (post/redirect/get): what was typed, each problem beside its field, and the form's
/// own idempotency key, so saving it once fixed still stores one record.
struct FormDraft: Codable {
    var values: [String: String]
    var problems: [FieldProblem] = []
    var links: [String: FilledForm.FieldLink] = [:]
    var carried: [String: String] = [:]
    var idempotencyKey: String
    var noticeKey: String?
    /// The record changed since the form was opened (answered 409) rather than a rule broken (422).
    var stale = false
}

/// Thrown by a correction's write when the record moved on since its form was opened: the form
/// is shown again with the record as it now stands, at its current version.
struct RecordChanged: Error {
    let values: [String: String]
    let version: Int
}
