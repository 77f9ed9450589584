import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// Which courses an export covers. Every table is restricted to the same courses.
public struct ExportSelection: Sendable, Codable, Equatable {
    public var siteId: UUID?
    /// Inclusive range of the course start date.
    public var from: CalendarDate?
    public var to: CalendarDate?
    /// A cohort label of the outcome report ("1-2", "3-5", ">5", "not improved", "not evaluable").
    public var cohort: String?
    /// Courses with at least one (non-voided) procedure of this kind.
    public var procedureKind: ProcedureKind?

    public init(siteId: UUID? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil, cohort: String? = nil, procedureKind: ProcedureKind? = nil) {
        self.siteId = siteId
        self.from = from
        self.to = to
        self.cohort = cohort
        self.procedureKind = procedureKind
    }

    /// ` AND …` conditions on the course alias `c` (all but the cohort, which needs the analysis).
    func sql(_ query: inout QueryBuilder, scope: Set<UUID>?) -> String {
        var condition = " AND c.voided_at IS NULL"
        if let siteId { condition += " AND c.site_id = \(query.bind(siteId))" }
        if let scope { condition += " AND c.site_id = ANY(\(query.bind(Array(scope))))" }
        if let from { condition += " AND c.started_on >= \(query.bind(from.description))::date" }
        if let to { condition += " AND c.started_on <= \(query.bind(to.description))::date" }
        if let kind = procedureKind {
            condition += " AND EXISTS (SELECT 1 FROM treatment_sessions xs JOIN procedures xp ON xp.session_id = xs.id"
                + " WHERE xs.course_id = c.id AND xs.voided_at IS NULL AND xp.kind = \(query.bind(kind.rawValue)))"
        }
        return condition
    }
}

/// How an export is written: which courses, how dates appear, whether free text is included.
public struct ExportPlan: Sendable {
    public let selection: ExportSelection
    public let scope: Set<UUID>?
    public let deidentifier: Deidentifier
    public let includeNotes: Bool
    public let rules: ClinicalRules

    public init(selection: ExportSelection, scope: Set<UUID>?, deidentifier: Deidentifier, includeNotes: Bool, rules: ClinicalRules) {
        self.selection = selection
        self.scope = scope
        self.deidentifier = deidentifier
        self.includeNotes = includeNotes
        self.rules = rules
    }
}

extension Registry {
    /// Prepares a transaction for exporting: one consistent snapshot for every table, and, when
    /// the selection names a cohort, the matching courses in a temporary table (the cohort comes
    /// from the outcome analysis, which SQL alone cannot filter on).
    public func beginExport(_ plan: ExportPlan, on connection: PostgresConnection) async throws {
        // Not READ ONLY: PostgreSQL refuses even temporary tables then, and the cohort filter needs one.
        try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger)
        try await connection.run("SET LOCAL statement_timeout = 0", logger)
        guard let cohort = plan.selection.cohort else { return }
        var matching: [UUID] = []  // 16 bytes per matching course: the one export input that grows with the registry
        let rules = OutcomeRules(plan.rules)
        var query = QueryBuilder("")
        let condition = plan.selection.sql(&query, scope: plan.scope)
        try await streamHistories(courseSQL: query, condition: condition, on: connection) { history in
            if rules.outcome(of: history).cohort == cohort { matching.append(history.courseId) }
        }
        try await connection.run("CREATE TEMPORARY TABLE export_courses (id uuid PRIMARY KEY) ON COMMIT DROP", logger)
        for start in stride(from: 0, to: matching.count, by: 5000) {
            let batch = Array(matching[start..<min(start + 5000, matching.count)])
            try await connection.run("INSERT INTO export_courses SELECT unnest(\(batch))", logger)
        }
    }

    /// Streams one table as CSV text (header first) to `emit`, in chunks of about 64 kB; returns
    /// the number of data rows.
    @discardableResult
    public func exportTable(_ table: ExportTable, plan: ExportPlan, on connection: PostgresConnection,
                            emit: (String) async throws -> Void) async throws -> Int {
        var buffer = ChunkBuffer()
        func add(_ record: String) async throws {
            if let chunk = buffer.add(record) { try await emit(chunk) }
        }
        try await add(table.header(notes: plan.includeNotes, dates: plan.deidentifier.dates))
        var query = QueryBuilder("")
        var condition = plan.selection.sql(&query, scope: plan.scope)
        if plan.selection.cohort != nil { condition += " AND c.id IN (SELECT id FROM export_courses)" }
        let d = plan.deidentifier
        let notes = plan.includeNotes
        func flag(_ value: Bool?) -> String? { value.map { $0 ? "1" : "0" } }
        func number(_ value: Decimal?) -> String? { value.map { "\($0)" } }
        func int(_ value: Int?) -> String? { value.map(String.init) }

        switch table {
        case .courses:
            let rules = OutcomeRules(plan.rules)
            var sites: [UUID: String] = [:]
            for try await (id, code) in try await connection.query("SELECT id, code FROM sites", logger: logger).decode((UUID, String).self) {
                sites[id] = code
            }
            try await streamHistories(courseSQL: query, condition: condition, on: connection) { history in
                let outcome = rules.outcome(of: history)
                guard plan.selection.cohort == nil || outcome.cohort == plan.selection.cohort else { return }
                let patient = history.facts?.patientId ?? history.courseId
                let start = history.startedOn.dayNumber
                let day = { (date: CalendarDate?) in date.map { d.day($0.dayNumber, patient: patient, courseStart: start) } }
                try await add(CSV.record([
                    d.pseudonym("C", history.courseId), d.pseudonym("P", patient), sites[history.siteId], d.pseudonym("U", history.clinicianId),
                    history.side.rawValue, history.facts?.icd10, Deidentifier.age(history.facts?.ageAtStart), history.facts?.sex,
                    day(history.startedOn), day(outcome.firstSessionOn), String(outcome.sessionCount), int(outcome.baseline),
                    flag(outcome.evaluable), outcome.notEvaluable?.rawValue, flag(outcome.evaluable ? outcome.responder : nil),
                    day(outcome.improvedOn), int(outcome.sessionsToImprovement), flag(outcome.evaluable ? outcome.moderateOn != nil : nil),
                    outcome.cohort, flag(outcome.responder ? outcome.recurredOn != nil : nil), day(outcome.recurredOn),
                    flag(outcome.responder ? outcome.nonSustainedOn != nil : nil), int(outcome.daysToRecurrenceOrCensoring),
                    outcome.censorReason?.rawValue]))
            }
        case .sessions:
            query.add("""
                SELECT s.id, s.course_id, c.patient_id, c.started_on - DATE '1970-01-01', s.session_on - DATE '1970-01-01', s.clinician_id,
                       p.position, p.kind, p.injectate, p.volume_ml, p.leukocytes, p.dextrose_percent, s.notes
                FROM treatment_sessions s JOIN treatment_courses c ON c.id = s.course_id JOIN procedures p ON p.session_id = s.id
                WHERE s.voided_at IS NULL\(condition)
                """)
            for try await r in try await connection.query(query.query, logger: logger)
                .decode((UUID, UUID, UUID, Int32, Int32, UUID, Int, String, String?, Decimal?, String?, Decimal?, String?).self) {
                var row: [String?] = [d.pseudonym("S", r.0), d.pseudonym("C", r.1), d.pseudonym("P", r.2), d.day(Int(r.4), patient: r.2, courseStart: Int(r.3)),
                                      d.pseudonym("U", r.5), String(r.6), r.7, r.8, number(r.9), r.10, number(r.11)]
                if notes { row.append(r.12) }
                try await add(CSV.record(row))
            }
        case .blocks:
            query.add("""
                SELECT b.id, b.course_id, c.patient_id, c.started_on - DATE '1970-01-01', b.performed_at, b.side, b.agent, b.volume_ml,
                       b.nrs_before, b.nrs_after, b.assessed_minutes_after
                FROM diagnostic_blocks b JOIN treatment_courses c ON c.id = b.course_id WHERE b.voided_at IS NULL\(condition)
                """)
            for try await r in try await connection.query(query.query, logger: logger)
                .decode((UUID, UUID, UUID, Int32, Date, String, String, Decimal, Int, Int, Int).self) {
                let result = BlockResult(nrsBefore: r.8, nrsAfter: r.9, assessedMinutesAfter: r.10, rules: plan.rules.block)
                try await add(CSV.record([d.pseudonym("B", r.0), d.pseudonym("C", r.1), d.pseudonym("P", r.2),
                                                 d.instant(r.4, patient: r.2, courseStart: Int(r.3)), r.5, r.6, number(r.7), String(r.8), String(r.9),
                                                 String(r.10), String(format: "%.1f", result.reliefPercent), flag(result.positive)]))
            }
        case .painScores:
            query.add("""
                SELECT p.id, p.course_id, c.patient_id, c.started_on - DATE '1970-01-01', p.recorded_on - DATE '1970-01-01', p.timepoint, p.nrs, p.odi, p.pgic
                FROM pain_scores p JOIN treatment_courses c ON c.id = p.course_id WHERE p.voided_at IS NULL\(condition)
                """)
            for try await r in try await connection.query(query.query, logger: logger)
                .decode((UUID, UUID, UUID, Int32, Int32, String, Int, Int?, Int?).self) {
                try await add(CSV.record([d.pseudonym("N", r.0), d.pseudonym("C", r.1), d.pseudonym("P", r.2),
                                                 d.day(Int(r.4), patient: r.2, courseStart: Int(r.3)), r.5, String(r.6), int(r.7), int(r.8)]))
            }
        case .events:
            query.add("""
                SELECT e.id, e.course_id, c.patient_id, c.started_on - DATE '1970-01-01', e.occurred_on - DATE '1970-01-01', e.kind, e.note
                FROM course_events e JOIN treatment_courses c ON c.id = e.course_id WHERE e.voided_at IS NULL\(condition)
                """)
            for try await r in try await connection.query(query.query, logger: logger).decode((UUID, UUID, UUID, Int32, Int32, String, String?).self) {
                var row: [String?] = [d.pseudonym("E", r.0), d.pseudonym("C", r.1), d.pseudonym("P", r.2), d.day(Int(r.4), patient: r.2, courseStart: Int(r.3)), r.5]
                if notes { row.append(r.6) }
                try await add(CSV.record(row))
            }
        case .findingsScreening, .findingsExamination, .findingsUltrasound:
            let (source, columns) = switch table {
            case .findingsScreening: ("screening_findings", "pain_over_three_months::int::text, imaging_mild_only::int::text, pain_at_iliac_crest::int::text, worse_upright_eased_lying::int::text, psis_pressure_reproduces::int::text, physiotherapy_relapse::int::text")
            case .findingsExamination: ("examination_findings", "trigger_point::int::text, trigger_point_distance_cm::text, lateral_bending_positive::int::text, pelvic_rotation_positive::int::text, single_leg_stance_positive::int::text, straight_leg_raise_positive::int::text, strength_normal::int::text, reflexes_normal::int::text")
            default: ("ultrasound_findings", "nerve_csa_mm2::text, flattening::int::text, restricted_gliding::int::text, fascia_thickness_mm::text, fascia_adhesion::int::text, tunnel_narrowing::int::text")
            }
            // The values are cast to text in SQL (booleans as 0/1); an array keeps one decoder for three tables.
            query.add("""
                SELECT f.id, f.course_id, c.patient_id, c.started_on - DATE '1970-01-01', f.recorded_on - DATE '1970-01-01',
                       array_to_json(ARRAY[\(columns)])::text
                FROM \(source) f JOIN treatment_courses c ON c.id = f.course_id WHERE f.voided_at IS NULL\(condition)
                """)
            for try await r in try await connection.query(query.query, logger: logger).decode((UUID, UUID, UUID, Int32, Int32, String).self) {
                let values = (try? JSONSerialization.jsonObject(with: Data(r.5.utf8)) as? [Any]) ?? []
                try await add(CSV.record([d.pseudonym("F", r.0), d.pseudonym("C", r.1), d.pseudonym("P", r.2),
                                                 d.day(Int(r.4), patient: r.2, courseStart: Int(r.3))] + values.map { $0 as? String }))
            }
        }
        if let chunk = buffer.drain() { try await emit(chunk) }
        return buffer.rows - 1
    }
}

/// Collects CSV records into chunks of about 64 kB, so a million rows cost a few hundred writes.
struct ChunkBuffer {
    private var text = ""
    private(set) var rows = 0

    /// Adds a record; returns a full chunk to send, if one is ready.
    mutating func add(_ record: String) -> String? {
        text += record
        rows += 1
        guard text.utf8.count >= 65_536 else { return nil }
        return drain()
    }

    mutating func drain() -> String? {
        guard !text.isEmpty else { return nil }
        defer { text = "" }
        return text
    }
}

extension ExportSelection {
    /// Reads the selection from text (query parameters or CLI options), naming each malformed value.
    public static func parse(siteId: String?, from: String?, to: String?, cohort: String?, procedureKind: String?,
                             cohorts: [ClinicalRules.Cohort]) throws(ValidationFailure) -> ExportSelection {
        var v = Validator()
        var selection = ExportSelection()
        if let siteId {
            selection.siteId = UUID(uuidString: siteId)
            if selection.siteId == nil { v.fail("siteId", "format", "must be a UUID") }
        }
        for (text, field) in [(from, "from"), (to, "to")] {
            guard let text else { continue }
            guard let date = CalendarDate(iso: text) else {
                v.fail(field, "date", "must be a date written YYYY-MM-DD")
                continue
            }
            if field == "from" { selection.from = date } else { selection.to = date }
        }
        if let cohort {
            let labels = cohorts.map(\.label) + [CourseOutcome.beyondCohort(cohorts), CourseOutcome.notImprovedCohort, CourseOutcome.notEvaluableCohort]
            if labels.contains(cohort) { selection.cohort = cohort } else { v.fail("cohort", "one_of", "must be one of: \(labels.joined(separator: ", "))") }
        }
        selection.procedureKind = v.coded(procedureKind, "procedureKind", as: ProcedureKind.self, required: false)
        return try v.finish { selection }
    }
}
