import Foundation
import NIOCore
import PostgresNIO
import RegistryAnalytics
import RegistryCore

extension ExportSelection {
    /// ` AND …` conditions on the course alias `c` (all but the cohort, which needs the analysis);
    /// empty when the selection narrows nothing. Callers leave voided courses out themselves.
    func sql(_ query: inout QueryBuilder, scope: Set<UUID>?) -> String {
        var condition = query.siteConditions(siteId: siteId, scope: scope)
        if let from { condition += " AND c.started_on >= \(query.bind(from.description))::date" }
        if let to { condition += " AND c.started_on <= \(query.bind(to.description))::date" }
        if let kind = procedureKind {
            condition +=
                " AND EXISTS (SELECT 1 FROM treatment_sessions xs JOIN procedures xp ON xp.session_id = xs.id"
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

extension ExportRepository {
    /// Prepares a transaction for exporting: one consistent snapshot for every table, and, when
    /// the selection names a cohort, the matching courses in a temporary table (the cohort comes
    /// from the outcome analysis, which SQL alone cannot filter on).
    public func beginExport(_ plan: ExportPlan, on connection: PostgresConnection) async throws {
        // Not READ ONLY: PostgreSQL refuses even temporary tables then, and the cohort filter needs one.
        try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger)
        try await connection.run("SET LOCAL statement_timeout = 0", logger)
        // Dates are written by PostgreSQL's own output function, which follows DateStyle.
        try await connection.run("SET LOCAL DateStyle = 'ISO, YMD'", logger)
        // Room to hash the selected courses in memory: with the default 4 MB a large export
        // spilled its join to temporary files.
        try await connection.run("SET LOCAL work_mem = '64MB'", logger)
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
    public func exportTable(
        _ table: ExportTable, plan: ExportPlan, on connection: PostgresConnection,
        emit: (ByteBuffer) async throws -> Void
    ) async throws -> Int {
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
        func int(_ value: Int?) -> String? { value.map(String.init) }
        func decimal(_ value: Double?) -> String? { value.map { String(format: "%.2f", $0) } }
        func characteristics(_ c: BaselineCharacteristics?) -> [String?] {
            [
                c?.symptomDuration?.rawValue, flag(c?.adhesionOnUltrasound), decimal(c?.fasciaThicknessMm), decimal(c?.nerveCsaMm2),
                decimal(c?.blockReliefPercent), c?.firstTreatment,
            ]
        }

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
                try await add(
                    CSV.record(
                        [
                            d.pseudonym("C", history.courseId), d.pseudonym("P", patient), sites[history.siteId],
                            d.pseudonym("U", history.clinicianId),
                            history.side.rawValue, history.facts?.icd10, Deidentifier.age(history.facts?.ageAtStart), history.facts?.sex,
                            day(history.startedOn), day(outcome.firstSessionOn), String(outcome.sessionCount), int(outcome.baseline),
                            day(outcome.baselineOn), outcome.baselineTimepoint?.rawValue,
                            flag(outcome.evaluable), outcome.notEvaluable?.rawValue, flag(outcome.evaluable ? outcome.responder : nil),
                            day(outcome.improvedOn), int(outcome.sessionsToImprovement), flag(outcome.evaluable ? outcome.moderateOn != nil : nil),
                            outcome.cohort, flag(outcome.responder ? outcome.recurredOn != nil : nil), day(outcome.recurredOn),
                            flag(outcome.responder ? outcome.nonSustainedOn != nil : nil), int(outcome.daysToRecurrenceOrCensoring),
                            outcome.censorReason?.rawValue,
                        ] + characteristics(outcome.characteristics)))
            }
        default:
            // Everything else is formatted by PostgreSQL, line by line, as COPY would: pseudonyms
            // and shifts come from the same keyed HMAC (Schema/functions/export_mac.sql), so the application only
            // forwards text. `OFFSET 0` keeps `c` a subquery of its own: its MACs are computed
            // once per course (merged into the join they would be once per row), and the planner
            // hashes the courses, the small side (as a MATERIALIZED CTE it hashed the rows).
            let inner = query.bind(ByteBuffer(bytes: d.innerPad)), outer = query.bind(ByteBuffer(bytes: d.outerPad))
            var sql = """
                WITH c AS (
                    SELECT c.id, c.started_on,
                           export_pseudonym('C', export_mac(\(inner), \(outer), 'C', c.id)) || ','
                           || export_pseudonym('P', export_mac(\(inner), \(outer), 'P', c.patient_id)) AS cpp,
                           export_shift(export_mac(\(inner), \(outer), 'shift', c.patient_id)) AS shift
                    FROM treatment_courses c WHERE c.voided_at IS NULL\(condition)
                    OFFSET 0)
                """
            let threshold = query.bind(plan.rules.block.positiveReliefPercent)
            let window = (query.bind(plan.rules.block.assessmentWindowMinutes.minimum), query.bind(plan.rules.block.assessmentWindowMinutes.maximum))
            sql += table.lineQuery(inner: inner, outer: outer, relative: d.dates == .relative, notes: notes, threshold: threshold, window: window)
            query.add(sql)
            // The lines stay bytes from the wire to the response: no String per row.
            for try await line in try await connection.query(query.query, logger: logger).decode(ByteBuffer.self) {
                if let chunk = buffer.add(line) { try await emit(chunk) }
            }
        }
        if let chunk = buffer.drain() { try await emit(chunk) }
        return buffer.rows - 1
    }
}

/// Collects CSV records into chunks of about 64 kB, so a million rows cost a few hundred writes.
struct ChunkBuffer {
    private static let size = 65_536
    private var bytes = ByteBuffer()
    private(set) var rows = 0

    /// Adds a record; returns a full chunk to send, if one is ready.
    mutating func add(_ record: String) -> ByteBuffer? {
        bytes.writeString(record)
        return counted()
    }

    mutating func add(_ record: ByteBuffer) -> ByteBuffer? {
        bytes.writeImmutableBuffer(record)
        return counted()
    }

    private mutating func counted() -> ByteBuffer? {
        rows += 1
        return bytes.readableBytes >= Self.size ? drain() : nil
    }

    mutating func drain() -> ByteBuffer? {
        guard bytes.readableBytes > 0 else { return nil }
        defer { bytes = ByteBuffer() }
        return bytes
    }
}

extension ExportPlan {
    /// The plan of what was asked, with the configured key and notes setting: the one way every
    /// route builds one. `scope` limits it to a manager's sites (nil: all).
    public init(_ request: ExportRequest, scope: Set<UUID>?, config: RegistryConfig) {
        self.init(
            selection: request.selection, scope: scope, deidentifier: Deidentifier(projectKey: config.export.projectKey, dates: request.dates),
            includeNotes: config.export.includeNotes, rules: config.clinical)
    }
}

extension ExportTable {
    /// The SELECT that turns one table's rows into CSV lines, in the codebook's column order; it
    /// follows a `c` CTE of the selected courses with their pseudonyms and date shift.
    func lineQuery(inner: String, outer: String, relative: Bool, notes: Bool, threshold: String, window: (String, String)) -> String {
        // A date plus the shift is a date, written as YYYY-MM-DD under the export's DateStyle.
        func day(_ column: String) -> String { relative ? "\(column) - c.started_on" : "\(column) + c.shift" }
        func id(_ kind: String, _ column: String) -> String { "export_pseudonym('\(kind)', export_mac(\(inner), \(outer), '\(kind)', \(column)))" }
        /// `concat` writes each value with its type's output function and NULL as nothing, in one
        /// call per line: a third faster than a `coalesce(…::text, '')` and `||` per field.
        func line(_ fields: [String]) -> String {
            "SELECT concat(" + fields.joined(separator: ", ',', ") + ", E'\\r\\n')"
        }
        func flags(_ alias: String, _ columns: [String]) -> [String] { columns.map { "\(alias).\($0)::int" } }
        switch self {
        case .courses:
            return ""
        case .sessions:
            return line(
                [
                    id("S", "s.id"), "c.cpp", day("s.session_on"), id("U", "s.clinician_id"), "p.position", "p.kind", "p.injectate",
                    "p.volume_ml", "p.leukocytes", "p.dextrose_percent",
                ] + (notes ? ["csv_field(s.notes)"] : []))
                + " FROM treatment_sessions s JOIN c ON c.id = s.course_id JOIN procedures p ON p.session_id = s.id WHERE s.voided_at IS NULL"
        case .blocks:
            let performed =
                relative
                ? "(((b.performed_at AT TIME ZONE 'UTC')::date) - c.started_on)::text"
                : "to_char((b.performed_at + c.shift * interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
            let relief = BlockRuleSQL.relief(nrsBefore: "b.nrs_before", nrsAfter: "b.nrs_after")
            let positive = BlockRuleSQL.positive(
                nrsBefore: "b.nrs_before", nrsAfter: "b.nrs_after", minutes: "b.assessed_minutes_after",
                threshold: threshold, minimum: window.0, maximum: window.1)
            return line([
                "c.cpp", performed, "b.side", "b.agent", "b.volume_ml", "b.nrs_before", "b.nrs_after",
                "b.assessed_minutes_after", "round(\(relief), 1)", "\(positive)::int",
            ])
                + " FROM diagnostic_blocks b JOIN c ON c.id = b.course_id WHERE b.voided_at IS NULL"
        case .painScores:
            return line(["c.cpp", day("p.recorded_on"), "p.timepoint", "p.nrs", "p.odi", "p.pgic", "p.source"])
                + " FROM pain_scores p JOIN c ON c.id = p.course_id WHERE p.voided_at IS NULL"
        case .events:
            return line(["c.cpp", day("e.occurred_on"), "e.kind"] + (notes ? ["csv_field(e.note)"] : []))
                + " FROM course_events e JOIN c ON c.id = e.course_id WHERE e.voided_at IS NULL"
        case .findingsScreening:
            return line(
                ["c.cpp", day("f.recorded_on")]
                    + flags(
                        "f",
                        [
                            "pain_over_three_months", "imaging_mild_only", "pain_at_iliac_crest", "worse_upright_eased_lying",
                            "psis_pressure_reproduces", "physiotherapy_relapse",
                        ]))
                + " FROM screening_findings f JOIN c ON c.id = f.course_id WHERE f.voided_at IS NULL"
        case .findingsExamination:
            return line(
                ["c.cpp", day("f.recorded_on"), "f.trigger_point::int", "f.trigger_point_distance_cm"]
                    + flags(
                        "f",
                        [
                            "lateral_bending_positive", "pelvic_rotation_positive", "single_leg_stance_positive", "straight_leg_raise_positive",
                            "strength_normal", "reflexes_normal",
                        ]))
                + " FROM examination_findings f JOIN c ON c.id = f.course_id WHERE f.voided_at IS NULL"
        case .findingsUltrasound:
            return line([
                "c.cpp", day("f.recorded_on"), "f.nerve_csa_mm2", "f.flattening::int", "f.restricted_gliding::int",
                "f.fascia_thickness_mm", "f.fascia_adhesion::int", "f.tunnel_narrowing::int",
            ])
                + " FROM ultrasound_findings f JOIN c ON c.id = f.course_id WHERE f.voided_at IS NULL"
        }
    }
}
