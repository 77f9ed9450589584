import Foundation
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// A record of a course timeline as the API shows it: its fields, version, and for findings
/// the section (`screening`, `examination`, `ultrasound`) it belongs to.
struct TimelineEntry {
    let fields: [String: Any]
    let version: Int
    let section: String?

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

/// Corrections and voids from the course timeline: the record's form filled with what it holds,
/// or a reason to void it, each bound to the version shown. If someone changed the record since,
/// the form comes back (409) saying so, with the current values, and nothing is written.
extension RegistryServices {
    func addCorrectionForms(to routes: Routes, _ kind: CorrectableKind) {
        let path = "courses/:id/\(kind.segment)/:recordId"
        routes.get("\(path)/edit") { request, context in
            try await page(request) { principal, language in
                let (form, entry) = try await correctionForm(
                    kind, try context.pathId("course"), try context.pathId("record", "recordId"), principal, language)
                return try await show(
                    form, principal, request, values: form.spec.typed(fromRecord: entry.fields, clinicZone: config.clinicTimeZone),
                    carried: ["version": String(entry.version)])
            }
        }
        routes.post("\(path)/edit") { request, context in
            try await page(request) { principal, language in
                let courseId = try context.pathId("course"), id = try context.pathId("record", "recordId")
                let (form, _) = try await correctionForm(kind, courseId, id, principal, language)
                let validation = validationContext()
                return try await submit(form, principal, request, blanksAsNull: true) { values, posted in
                    let patch = try JSONSerialization.jsonObject(with: values) as? [String: Any] ?? [:]
                    try await whenCurrent(posted, kind, courseId, id, principal, language, request) { version in
                        _ = try await repositories.corrections.correct(
                            in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope,
                            expectedVersion: version, by: principal.actor("POST /courses/{id}/\(kind.segment)/{recordId}/edit")
                        ) {
                            try kind.revise($0, patch: patch, context: validation)
                        }
                    }
                    return "/courses/\(courseId.uuidString.lowercased())"
                }
            }
        }
        routes.get("\(path)/void") { request, context in
            try await page(request) { principal, language in
                let (form, entry) = try await voidForm(
                    kind, try context.pathId("course"), try context.pathId("record", "recordId"), principal, language)
                return try await show(form, principal, request, carried: ["version": String(entry.version)])
            }
        }
        routes.post("\(path)/void") { request, context in
            try await page(request) { principal, language in
                let courseId = try context.pathId("course"), id = try context.pathId("record", "recordId")
                let (form, _) = try await voidForm(kind, courseId, id, principal, language)
                return try await submit(form, principal, request) { values, posted in
                    var v = Validator()
                    let reason = v.text(try decodeInput(VoidInput.self, from: values).reason, "reason", maxLength: 500, required: true)
                    try v.finish { () }
                    try await whenCurrent(posted, kind, courseId, id, principal, language, request) { version in
                        _ = try await repositories.corrections.void(
                            in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope, reason: reason!,
                            expectedVersion: version, by: principal.actor("POST /courses/{id}/\(kind.segment)/{recordId}/void"))
                    }
                    return "/courses/\(courseId.uuidString.lowercased())"
                }
            }
        }
    }

    /// Runs `change` with the version the form was opened at; when the record has moved on, the
    /// correction form again with the record as it now stands and the "changed by someone else"
    /// notice (the stored values win; the user re-applies their change knowingly).
    private func whenCurrent(
        _ posted: PostedForm, _ kind: CorrectableKind, _ courseId: UUID, _ id: UUID, _ principal: Principal, _ language: Language, _ request: Request,
        change: (Int) async throws -> Void
    ) async throws {
        do {
            try await change(Int(posted.version ?? "") ?? -1)
        } catch is StaleVersion {
            let (form, entry) = try await correctionForm(kind, courseId, id, principal, language)
            throw PageRefusal.stale(
                try await show(
                    form, principal, request, values: form.spec.typed(fromRecord: entry.fields, clinicZone: config.clinicTimeZone),
                    carried: ["version": String(entry.version)], noticeKey: "staleNotice"))
        }
    }

    /// The record's own form, cut to what a correction may change (for findings, the date and
    /// the record's section; a session's procedures are voided and logged again instead).
    private func correctionForm(
        _ kind: CorrectableKind, _ courseId: UUID, _ id: UUID, _ principal: Principal,
        _ language: Language
    ) async throws -> (PageForm, TimelineEntry) {
        let (course, entry) = try await entry(courseId, id, principal)
        guard let full = FormSpec.courseRecords[kind.segment] else { throw StoreError.notFound(kind.segment) }
        let spec = full.keeping { kind.correctable.contains($0.topLevelKey) || $0.topLevelKey == entry.section }
        let path = "/courses/\(courseId.uuidString.lowercased())"
        let form = PageForm(
            spec: FormSpec(titleKey: "correctRecord", groups: spec.groups),
            action: "\(path)/\(kind.segment)/\(id.uuidString.lowercased())/edit"
        ) { form in
            try pages.formPage(language, viewer: viewer(principal), form: form, back: path, context: try await courseContext(course, principal))
        }
        return (form, entry)
    }

    private func voidForm(
        _ kind: CorrectableKind, _ courseId: UUID, _ id: UUID, _ principal: Principal, _ language: Language
    ) async throws -> (PageForm, TimelineEntry) {
        let (course, entry) = try await entry(courseId, id, principal)
        let path = "/courses/\(courseId.uuidString.lowercased())"
        let form = PageForm(spec: .void, action: "\(path)/\(kind.segment)/\(id.uuidString.lowercased())/void") { form in
            try pages.formPage(language, viewer: viewer(principal), form: form, back: path, context: try await courseContext(course, principal))
        }
        return (form, entry)
    }

    /// The course and the (not voided) record, or a 404 page.
    private func entry(_ courseId: UUID, _ id: UUID, _ principal: Principal) async throws -> (CourseRecord, TimelineEntry) {
        guard let timeline = try await repositories.courses.timeline(courseId, scope: principal.siteScope),
            let entry = try TimelineEntry.find(id, in: timeline)
        else { throw StoreError.notFound("record") }
        return (timeline.course, entry)
    }
}
