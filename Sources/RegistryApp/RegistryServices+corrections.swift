import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore

/// What can be corrected on each kind of course record, and how a corrected record is validated.
struct CorrectableKind: Sendable {
    let segment: String
    /// Findings live in three tables; the record's id says which.
    let tables: [CorrectableTable]
    /// For findings: the input key of each table's section.
    let sections: [CorrectableTable: String]
    /// Input keys a correction may change (besides a findings section's own fields).
    let correctable: Set<String>
    /// Decodes the full corrected input and applies every rule a new record must pass.
    let validate: @Sendable (Data, ValidationContext, CalendarDate) throws -> Void

    static func validator<Input: CourseRecordInput>(_ type: Input.Type) -> @Sendable (Data, ValidationContext, CalendarDate) throws -> Void {
        { data, context, start in _ = try decodeInput(Input.self, from: data).validated(context, courseStart: start) }
    }

    /// The new column values of a correction: the record as it stands with `patch` applied,
    /// validated by every rule a new record must pass; fields that cannot be corrected are
    /// named. Pure: the repository calls it with the record locked.
    func revise(_ current: CurrentRecord, patch: [String: Any], context: ValidationContext) throws -> [String: Any] {
        let section = sections[current.table]
        let input = camelCased(try jsonObject(Data(current.row.utf8)))
        var merged = input.filter { correctable.contains($0.key) }
        if let procedures = current.procedures { merged["procedures"] = procedures }
        var sectionValues = input.filter {
            !["id", "courseId", "recordedOn", "createdAt", "createdBy", "version", "voidedAt", "voidReason"].contains($0.key)
        }
        // A section's fields are the columns its record already has; any other name is refused, never written.
        let sectionFields = Set(sectionValues.keys)
        var problems: [FieldProblem] = []
        for (key, value) in patch {
            if correctable.contains(key) {
                merged[key] = value
            } else if let section, key == section, let fields = value as? [String: Any] {
                for (field, fieldValue) in fields {
                    if sectionFields.contains(field) {
                        sectionValues[field] = fieldValue
                    } else {
                        problems.append(
                            FieldProblem(
                                field: "\(section).\(field)", rule: "not_correctable",
                                message: "is not a field of \(section); its fields: \(sectionFields.sorted().joined(separator: ", "))"))
                    }
                }
            } else {
                problems.append(
                    FieldProblem(
                        field: key, rule: "not_correctable",
                        message:
                            "cannot be corrected here; correctable: \((correctable.union(section.map { [$0] } ?? [])).sorted().joined(separator: ", "))"
                    ))
            }
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        if let section { merged[section] = sectionValues }
        try validate(try JSONSerialization.data(withJSONObject: merged), context, current.courseStart)
        var columns = merged.filter { $0.key != "procedures" && $0.key != section }
        if section != nil { columns.merge(sectionValues) { new, _ in new } }
        return snakeCased(columns)
    }

    static let all: [CorrectableKind] = [
        CorrectableKind(
            segment: "blocks", tables: [.diagnosticBlocks], sections: [:],
            correctable: ["performedAt", "side", "agent", "volumeMl", "nrsBefore", "nrsAfter", "assessedMinutesAfter"],
            validate: validator(BlockInput.self)),
        // Procedures are not corrected in place: void the session and log it again.
        CorrectableKind(
            segment: "sessions", tables: [.treatmentSessions], sections: [:], correctable: ["sessionOn", "clinicianId", "notes"],
            validate: validator(SessionInput.self)),
        CorrectableKind(
            segment: "pain-scores", tables: [.painScores], sections: [:], correctable: ["recordedOn", "timepoint", "nrs", "odi", "pgic"],
            validate: validator(PainScoreInput.self)),
        CorrectableKind(
            segment: "events", tables: [.courseEvents], sections: [:], correctable: ["kind", "occurredOn", "note"],
            validate: validator(CourseEventInput.self)),
        CorrectableKind(
            segment: "findings", tables: [.screeningFindings, .examinationFindings, .ultrasoundFindings],
            sections: [.screeningFindings: "screening", .examinationFindings: "examination", .ultrasoundFindings: "ultrasound"],
            correctable: ["recordedOn"], validate: validator(FindingsInput.self)),
    ]
}

extension RegistryServices {
    /// `PATCH /courses/{courseId}/<kind>/{id}` corrects fields of a record and
    /// `POST /courses/{courseId}/<kind>/{id}/void` voids it with a reason. Both require
    /// `If-Match` with the record's version; a stale version is 412 and writes nothing.
    var correctionRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        let corrections = repositories.corrections
        for kind in CorrectableKind.all {
            api.patch("courses/:id/\(kind.segment)/:recordId") { request, context in
                let (principal, courseId, id, version) = try target(request, context)
                let patch = try jsonObject(try await request.bodyBytes(limit: config.server.maxBodyBytes))
                let context = validationContext()
                let row = try await corrections.correct(
                    in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope, expectedVersion: version,
                    by: principal.actor("PATCH /api/v1/courses/{courseId}/\(kind.segment)/{id}")
                ) { current in
                    try kind.revise(current, patch: patch, context: context)
                }
                return recordResponse(row)
            }
            api.post("courses/:id/\(kind.segment)/:recordId/void") { request, context in
                let (principal, courseId, id, version) = try target(request, context)
                let body = try decodeInput(VoidInput.self, from: try await request.bodyBytes(limit: 16_384))
                var v = Validator()
                let reason = v.text(body.reason, "reason", maxLength: 500, required: true)
                try v.finish { () }
                let row = try await corrections.void(
                    in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope, reason: reason!,
                    expectedVersion: version, by: principal.actor("POST /api/v1/courses/{courseId}/\(kind.segment)/{id}/void"))
                return recordResponse(row)
            }
        }
        return api
    }

    /// Who may, which course and record, and the version the caller saw: what both share.
    private func target(_ request: Request, _ context: RegistryRequestContext) throws -> (Principal, UUID, UUID, Int) {
        let principal = try context.require(.writeClinical)
        return (principal, try context.pathId("course"), try context.pathId("record", "recordId"), try Self.expectedVersion(request))
    }

    /// The changed record as GET shows it, with its new version as ETag.
    private func recordResponse(_ record: ChangedRecord) -> Response {
        JSONResponse.make(status: .ok, data: record.body, headers: [.eTag: "\"\(record.version)\""])
    }

    /// `If-Match: "3"` (or `3`, or `W/"3"`): the version the client last saw.
    static func expectedVersion(_ request: Request) throws -> Int {
        guard let header = request.headers[.ifMatch] else {
            throw BadRequestBody(
                status: .preconditionRequired, code: "if_match_required",
                message: "send If-Match with the record's version (its \"version\" field) so a concurrent change is not overwritten")
        }
        let digits = header.filter(\.isNumber)
        guard let version = Int(digits), !digits.isEmpty else {
            throw BadRequestBody(status: .badRequest, code: "bad_if_match", message: "If-Match must be the record's version, such as \"3\"")
        }
        return version
    }
}

struct VoidInput: Decodable {
    var reason: String?
}

private func jsonObject(_ data: Data) throws -> [String: Any] {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw BadRequestBody(status: .badRequest, code: "malformed_json", message: "the request body must be a JSON object")
    }
    return object
}

/// `recorded_on` → `recordedOn`; instants are rewritten in the API's own ISO 8601 form.
func camelCased(_ row: [String: Any]) -> [String: Any] {
    var result: [String: Any] = [:]
    for (key, value) in row {
        let parts = key.split(separator: "_")
        let camel = parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }
            .joined()
        result[camel] = value
    }
    if let text = result["performedAt"] as? String, let instant = parseDatabaseInstant(text) {
        result["performedAt"] = ISO8601DateFormatter().string(from: instant)
    }
    return result
}

func snakeCased(_ values: [String: Any]) -> [String: Any] {
    var result: [String: Any] = [:]
    for (key, value) in values {
        var snake = ""
        for character in key {
            if character.isUppercase { snake += "_" + character.lowercased() } else { snake.append(character) }
        }
        result[snake] = value
    }
    return result
}

private func parseDatabaseInstant(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}
