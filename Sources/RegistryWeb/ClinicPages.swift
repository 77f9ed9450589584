import Foundation
import RegistryAnalytics
import RegistryCore

/// The clinician's pages, rendered from Core records and the course's derived outcome; every
/// word from the catalogue of `language`.
extension Pages {
    /// Who is signed in, and the pages their role opens (the header's links).
    public struct Viewer: Sendable {
        public let name: String
        /// (address, catalogue key of the label)
        public let links: [(href: String, labelKey: String)]
        /// The page's query without its `lang`, each pair followed by `&` (empty when none).
        public let keptQuery: String
        public init(name: String, links: [(href: String, labelKey: String)] = [], query: String? = nil) {
            self.name = name
            self.links = links
            keptQuery = (query ?? "").split(separator: "&").filter { !$0.isEmpty && !$0.hasPrefix("lang=") }.map { $0 + "&" }.joined()
        }
    }

    /// `patients` names the patients of `courses`, by id.
    /// `awaiting` are the open courses waiting for a pain score since their last session.
    /// `due` are the follow-ups waiting for an answer at the user's sites.
    public func home(
        _ language: Language, viewer: Viewer, query: String?, found: [PatientRecord], courses: [CourseRecord], awaiting: [CourseRecord],
        patients: [UUID: PatientRecord], due: [DueRow], writable: Bool
    ) throws -> String {
        try render(
            "home", language,
            [
                "writable": writable, "due": dueRows(Array(due.prefix(10)), language), "hasDue": !due.isEmpty,
                "title": catalogue.text("homeTitle", language), "viewer": viewer, "query": query ?? "", "searched": query != nil,
                "results": found.map(patientRow), "hasResults": !found.isEmpty, "resultCount": found.count,
                "courses": courses.map { courseRow($0, language, patient: patients[$0.patientId]) }, "hasCourses": !courses.isEmpty,
                "awaiting": awaiting.map { courseRow($0, language, patient: patients[$0.patientId]) }, "hasAwaiting": !awaiting.isEmpty,
            ])
    }

    /// `writable`: the user may open a course for the patient.
    /// `contact` is the patient's consent to follow-up messages (nil: none recorded); `csrf` the
    /// token of the button that stops them, for those who may write.
    public func patient(
        _ language: Language, viewer: Viewer, patient: PatientRecord, courses: [CourseRecord], siteName: String, contact: FollowUpContact?,
        csrf: String?
    ) throws -> String {
        try render(
            "patient", language,
            [
                "contact": contact.map { contact in
                    [
                        "channels": contact.channels.map { catalogue.text("channel_" + $0.rawValue, language) }.joined(separator: " → "),
                        "lineUserId": contact.lineUserId ?? false, "sms": contact.channels.contains(.sms),
                        "consent": "\(contact.consentedOn) · \(catalogue.text("consentHow_" + contact.consentHow.rawValue, language))",
                        "optedOut": contact.optedOutAt.map { catalogue.text("contactOptedOut", language, ["when": Self.moment($0)]) } ?? false,
                        "stoppable": contact.optedOutAt == nil && csrf != nil,
                    ] as [String: Any]
                } ?? false,
                "csrf": csrf ?? "", "writable": csrf != nil,
                "id": patient.id.uuidString.lowercased(), "sexLabel": catalogue.text("sex_" + patient.sex.rawValue, language),
                "title": "\(patient.familyName) \(patient.givenName)", "viewer": viewer, "name": "\(patient.familyName) \(patient.givenName)",
                "mrn": patient.mrn, "dateOfBirth": patient.dateOfBirth.description, "sex": patient.sex.rawValue, "site": siteName,
                "phone": patient.phone.flatMap { $0.isEmpty ? nil : $0 } ?? false, "email": patient.email.flatMap { $0.isEmpty ? nil : $0 } ?? false,
                "courses": courses.map { courseRow($0, language) }, "hasCourses": !courses.isEmpty,
            ])
    }

    /// `form` is the pain-score form for those who may write (nil: the page is read-only, with
    /// no links to add, correct or void records).
    public func course(
        _ language: Language, viewer: Viewer, timeline: CourseTimeline, outcome: CourseOutcome?, patient: PatientRecord?,
        clinician: String, site: String, form: FilledForm? = nil, followUp: CourseFollowUp? = nil
    ) throws -> String {
        let course = timeline.course
        let name = patient.map { "\($0.familyName) \($0.givenName)" } ?? ""
        let start = course.startedOn
        let scores = timeline.painScores.filter { $0.void == nil }.sorted { $0.recordedOn < $1.recordedOn }
        let sessionDays = timeline.sessions.filter { $0.void == nil }.map { start.days(until: $0.sessionOn) }
        let rows = timelineRows(timeline, language, writable: form != nil)
        let chart = NRSChart.svg(
            scores: scores.map { (start.days(until: $0.recordedOn), $0.nrs) }, sessions: sessionDays,
            label: catalogue.text("painOverTime", language), daysLabel: catalogue.text("daysSinceStart", language))
        var values: [String: Any] = [
            "title": "\(catalogue.text("courseTitle", language)) · \(name)", "viewer": viewer, "patientName": name,
            "patientId": course.patientId.uuidString.lowercased(), "mrn": patient?.mrn ?? "",
            "side": catalogue.text("side_" + course.side.rawValue, language), "icd10": course.icd10,
            "clinician": clinician, "site": site, "startedOn": start.description,
            "baseline": outcome?.baseline.map(String.init) ?? "–", "sessions": outcome?.sessionCount ?? 0,
            "outcome": outcomeText(outcome, language), "recurrence": recurrenceText(outcome, language),
            "chart": chart, "timeline": rows, "hasTimeline": !rows.isEmpty, "courseId": course.id.uuidString.lowercased(), "writable": form != nil,
        ]
        if let form { values["form"] = formValues(form, language) }
        if let followUp { values["followUp"] = followUpValues(followUp, courseId: course.id.uuidString.lowercased(), language) }
        // A link just made is shown first, to copy or send, this once (no language switch, which would lose it).
        if let issued = followUp?.issuedURL {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            values["issued"] = [
                "url": issued, "lineShare": "https://line.me/R/share?text=" + (issued.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""),
            ]
            values["showsSecretOnce"] = true
        }
        return try render("course", language, values)
    }

    /// A page saying what went wrong (403, 404), in the visitor's language.
    public func problem(_ language: Language, viewer: Viewer?, titleKey: String, messageKey: String) throws -> String {
        try render(
            "problem", language,
            [
                "title": catalogue.text(titleKey, language), "message": catalogue.text(messageKey, language),
                "viewer": viewer as Any,
            ])
    }

    private func patientRow(_ patient: PatientRecord) -> [String: Any] {
        [
            "id": patient.id.uuidString.lowercased(), "mrn": patient.mrn, "name": "\(patient.familyName) \(patient.givenName)",
            "dateOfBirth": patient.dateOfBirth.description,
        ]
    }

    private func courseRow(_ course: CourseRecord, _ language: Language, patient: PatientRecord? = nil) -> [String: Any] {
        var row: [String: Any] = [
            "id": course.id.uuidString.lowercased(), "startedOn": course.startedOn.description,
            "side": catalogue.text("side_" + course.side.rawValue, language), "icd10": course.icd10,
            "status": catalogue.text("status_" + course.status.rawValue, language),
        ]
        if let patient { row["patient"] = "\(patient.familyName) \(patient.givenName) (\(patient.mrn))" }
        return row
    }

    func outcomeText(_ outcome: CourseOutcome?, _ language: Language) -> String {
        guard let outcome else { return "–" }
        if let reason = outcome.notEvaluable {
            return catalogue.text("notEvaluable", language, ["reason": catalogue.text("reason_" + reason.rawValue, language)])
        }
        guard let sessions = outcome.sessionsToImprovement, let date = outcome.improvedOn else { return catalogue.text("notImproved", language) }
        return catalogue.text(
            sessions == 1 ? "improvedAfterOne" : "improvedAfter", language, ["sessions": String(sessions), "date": date.description])
    }

    func recurrenceText(_ outcome: CourseOutcome?, _ language: Language) -> String {
        if let date = outcome?.recurredOn { return catalogue.text("recurredOn", language, ["date": date.description]) }
        if let date = outcome?.nonSustainedOn { return catalogue.text("nonSustained", language, ["date": date.description]) }
        return catalogue.text("noRecurrence", language)
    }

    /// Every record in date order, voided ones kept (struck through, with the reason); the
    /// others link to their correction and void forms when `writable`.
    func timelineRows(_ timeline: CourseTimeline, _ language: Language, writable: Bool) -> [[String: Any]] {
        var rows: [(CalendarDate, [String: Any])] = []
        let strings = catalogue.strings[language] ?? [:]
        func row(_ date: CalendarDate, _ kind: String, _ details: String, _ void: VoidInfo?, _ segment: String, _ id: UUID) {
            // Every key the row's template reads is here (see `fieldValues`): no search of the enclosing contexts.
            var row: [String: Any] = [
                "date": date.description, "kind": catalogue.text(kind, language), "details": details, "voided": void != nil,
                "voidReason": void?.reason ?? false, "path": false,
                "writable": writable, "t": strings,
            ]
            if void == nil, writable { row["path"] = Paths.record(segment, id, in: timeline.course.id) }
            rows.append((date, row))
        }
        for block in timeline.blocks {
            let outcome = "\(String(format: "%.1f", block.reliefPercent))% · \(catalogue.text(block.positive ? "positive" : "negative", language))"
            row(
                CalendarDate(block.performedAt, in: .gmt), "kindBlock",
                [
                    catalogue.text("agent_" + block.agent.rawValue, language) + " \(block.volumeMl) mL",
                    "NRS \(block.nrsBefore) → \(block.nrsAfter)",
                    catalogue.text("blockAssessedAt", language, ["minutes": "\(block.assessedMinutesAfter)"]), outcome,
                ].joined(separator: " · "), block.void, "blocks", block.id)
        }
        for session in timeline.sessions {
            let procedures = session.procedures.map { procedure in
                [
                    catalogue.text(procedure.kind.rawValue, language),
                    procedure.injectate.map { catalogue.text("injectate_" + $0.rawValue, language) },
                    procedure.leukocytes.map { catalogue.text("leukocytes_" + $0.rawValue, language) }, procedure.dextrosePercent.map { "\($0)%" },
                    procedure.volumeMl.map { "\($0) mL" },
                ]
                .compactMap { $0 }.joined(separator: " ")
            }
            row(session.sessionOn, "kindSession", procedures.joined(separator: "; "), session.void, "sessions", session.id)
        }
        for score in timeline.painScores {
            let source = score.source == .patient ? " · " + catalogue.text("fromPatient", language) : ""
            row(
                score.recordedOn, "kindScore", "NRS \(score.nrs) · \(catalogue.text("timepoint_" + score.timepoint.rawValue, language))\(source)",
                score.void,
                "pain-scores", score.id)
        }
        for event in timeline.events {
            row(event.occurredOn, "kindEvent", catalogue.text("event_" + event.kind.rawValue, language), event.void, "events", event.id)
        }
        func finding(_ record: FindingRecord<some Codable & Sendable & Equatable>, _ section: String) {
            let details = [catalogue.text("finding_" + section, language)] + findingAnswers(record.values, section: section, language)
            row(record.recordedOn, "kindFinding", details.joined(separator: " · "), record.void, "findings", record.id)
        }
        for record in timeline.findings.ultrasound { finding(record, "ultrasound") }
        for record in timeline.findings.examination { finding(record, "examination") }
        for record in timeline.findings.screening { finding(record, "screening") }
        return rows.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    }

    /// What a findings section recorded, question by question as the form asks it: "Nerve
    /// flattened? yes", "Nerve cross-sectional area (mm², optional): 12.5". Unanswered ones are left out.
    func findingAnswers(_ values: some Encodable, section: String, _ language: Language) -> [String] {
        // Encoding a record's own values cannot fail; an empty list is shown if it ever did.
        guard let data = try? JSONEncoder().encode(values), let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return []
        }
        return FormSpec.findings.fields.compactMap { field in
            guard field.name.hasPrefix(section + "."), let value = object[String(field.name.dropFirst(section.count + 1))], !(value is NSNull)
            else { return nil }
            let label = catalogue.text(field.labelKey, language)
            if case .yesNo = field.kind { return label + " " + catalogue.text(field.kind.text(value, clinicZone: .gmt), language) }
            return label + ": " + field.kind.text(value, clinicZone: .gmt)
        }
    }
}
