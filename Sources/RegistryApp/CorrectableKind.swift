import Foundation
import Hummingbird
import RegistryCore
import RegistryStore

/// What can be corrected on each kind of course record, and how a corrected record is validated.
struct CorrectableKind: Sendable {
    let segment: String
    /// Catalogue key of what the record is called on its forms ("Diagnostic block").
    let labelKey: String
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
                            "cannot be corrected here; correctable: "
                            + correctable.union(section.map { [$0] } ?? []).sorted().joined(separator: ", ")
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
            segment: "blocks", labelKey: "kindBlock", tables: [.diagnosticBlocks], sections: [:],
            correctable: ["performedAt", "side", "agent", "volumeMl", "nrsBefore", "nrsAfter", "assessedMinutesAfter"],
            validate: validator(BlockInput.self)),
        // Procedures are not corrected in place: void the session and log it again.
        CorrectableKind(
            segment: "sessions", labelKey: "kindSession", tables: [.treatmentSessions], sections: [:],
            correctable: ["sessionOn", "clinicianId", "notes"],
            validate: validator(SessionInput.self)),
        CorrectableKind(
            segment: "pain-scores", labelKey: "kindScore", tables: [.painScores], sections: [:],
            correctable: ["recordedOn", "timepoint", "nrs", "odi", "pgic"],
            validate: validator(PainScoreInput.self)),
        CorrectableKind(
            segment: "events", labelKey: "kindEvent", tables: [.courseEvents], sections: [:], correctable: ["kind", "occurredOn", "note"],
            validate: validator(CourseEventInput.self)),
        CorrectableKind(
            segment: "findings", labelKey: "kindFinding", tables: [.screeningFindings, .examinationFindings, .ultrasoundFindings],
            sections: [.screeningFindings: "screening", .examinationFindings: "examination", .ultrasoundFindings: "ultrasound"],
            correctable: ["recordedOn"], validate: validator(FindingsInput.self)),
    ]
}

/// A record of a course timeline as the API shows it: its fields, version, and for findings
/// the section (`screening`, `examination`, `ultrasound`) it belongs to.
struct TimelineEntry {
    let fields: [String: Any]
    let version: Int
    let section: String?

    /// The record's day (or time) as the API writes it, to name it on its correction forms.
    var when: String {
        ["performedAt", "sessionOn", "recordedOn", "occurredOn"].lazy.compactMap { fields[$0] as? String }.first ?? ""
    }

    /// Finds record `id` in the timeline's JSON.
    static func find(_ id: UUID, in timeline: CourseTimeline) throws -> TimelineEntry? {
        guard let json = try JSONSerialization.jsonObject(with: RecordJSON.encode(timeline)) as? [String: Any] else { return nil }
        let wanted = id.uuidString.lowercased()
        func search(_ node: Any, key: String?) -> TimelineEntry? {
            if let records = node as? [[String: Any]], let record = records.first(where: { ($0["id"] as? String)?.lowercased() == wanted }) {
                return TimelineEntry(fields: record, version: record["version"] as? Int ?? 0, section: key)
            }
            guard let object = node as? [String: Any] else { return nil }
            return object.lazy.compactMap { search($0.value, key: $0.key) }.first
        }
        return search(json.filter { $0.key != "course" }, key: nil)
    }
}

struct VoidInput: Decodable {
    var reason: String?
}

func jsonObject(_ data: Data) throws -> [String: Any] {
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
