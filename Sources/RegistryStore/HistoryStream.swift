import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// What every report, export and course page reads: each course's history, assembled from one
/// stream of rows.
extension Repository {
    /// Streams every non-voided course's history, in one query and one pass, to `body`; with the
    /// times the patient was asked when `asks` (the follow-up response rates).
    ///
    /// One UNION ALL over courses, procedures, scores, events and blocks, ordered by course, so
    /// each course arrives as one contiguous run of rows; a course is handed on as soon as its
    /// run ends. Nothing is collected beyond the course being assembled. Voided records never
    /// reach the analysis; children of a voided course are skipped with it.
    func streamHistories(
        siteId: UUID? = nil, scope: Set<UUID>? = nil, asks: Bool = false, on connection: PostgresConnection,
        _ body: (CourseHistory) async throws -> Void
    ) async throws {
        var query = QueryBuilder("")
        let condition = query.siteConditions(siteId: siteId, scope: scope)
        try await streamHistories(courseSQL: query, condition: condition, asks: asks, on: connection, body)
    }

    /// The histories of the courses `ids` (those at the caller's sites).
    func streamHistories(
        courseIds ids: [UUID], scope: Set<UUID>? = nil, on connection: PostgresConnection,
        _ body: (CourseHistory) async throws -> Void
    ) async throws {
        var query = QueryBuilder("")
        let condition = " AND c.id = ANY(\(query.bind(ids)))" + query.siteConditions(siteId: nil, scope: scope)
        try await streamHistories(courseSQL: query, condition: condition, on: connection, body)
    }

    /// The same stream for courses meeting `condition` (` AND …` on alias `c`, its values already
    /// bound in `courseSQL`).
    func streamHistories(
        courseSQL: QueryBuilder, condition: String, asks: Bool = false, on connection: PostgresConnection,
        _ body: (CourseHistory) async throws -> Void
    ) async throws {
        var query = courseSQL
        query.add(HistoryRows.sql(courseFilter: condition.isEmpty ? nil : condition, asks: asks) + HistoryRows.order)
        try await assembleHistories(try await connection.query(query.query, logger: logger).decode(HistoryRow.self), body)
    }

    /// Hands on each course's history as soon as its run of rows (in `HistoryRows.order`) ends.
    func assembleHistories<Rows: AsyncSequence>(_ rows: Rows, _ body: (CourseHistory) async throws -> Void) async throws
    where Rows.Element == HistoryRow {
        var current: CourseHistory?
        for try await row in rows {
            let (courseId, kind, day, n1, n2, n3, text1, text2, siteId, clinicianId, at, text3, patientId) = row
            if kind == 0 {
                if let finished = current { try await body(finished) }
                current = CourseHistory(
                    courseId: courseId, siteId: siteId!, clinicianId: clinicianId!, side: try coded(text1!),
                    startedOn: CalendarDate(dayNumber: Int(day)),
                    facts: .init(patientId: patientId!, icd10: text2!, ageAtStart: n1 < 0 ? nil : Int(n1), sex: text3),
                    symptomOnset: n2 == HistoryRows.missing ? nil : CalendarDate(dayNumber: Int(n2)))
                continue
            }
            // Rows of a voided (or filtered-out) course have no course row before them.
            guard current?.courseId == courseId else { continue }
            let date = CalendarDate(dayNumber: Int(day))
            switch kind {
            case 1: current!.procedures.append(.init(on: date, kind: try coded(text1!), injectate: try text2.map { try coded($0) }))
            case 2:
                current!.scores.append(
                    .init(on: date, timepoint: try coded(text1!), nrs: Int(n1), source: try text2.map { try coded($0) } ?? .clinician))
            case 3: current!.events.append(.init(on: date, kind: try coded(text1!)))
            case 4: current!.blocks.append(.init(performedAt: at, nrsBefore: Int(n1), nrsAfter: Int(n2), assessedMinutesAfter: Int(n3)))
            case 6: current!.asks.append(.init(at: at, kind: .message(dueOn: date, number: Int(n1), channel: try coded(text1!))))
            case 7: current!.asks.append(.init(at: at, kind: .link))
            default:
                current!.ultrasound.append(
                    .init(
                        on: date, nerveCsaMm2: n1 == HistoryRows.missing ? nil : Double(n1) / 100,
                        fasciaThicknessMm: n2 == HistoryRows.missing ? nil : Double(n2) / 10, fasciaAdhesion: n3 & 1 != 0,
                        restrictedGliding: n3 & 2 != 0, tunnelNarrowing: n3 & 4 != 0))
            }
        }
        if let finished = current { try await body(finished) }
    }
}

typealias HistoryRow = (UUID, Int16, Int32, Int32, Int32, Int32, String?, String?, UUID?, UUID?, Date, String?, UUID?)

enum HistoryRows {
    /// A missing number in a history row (symptom onset, nerve area, fascia thickness).
    static let missing = Int32.min
    /// Each course's rows together, its course row first.
    static let order = " ORDER BY 1, 2, 3, 11"

    /// Every row a course history is made of, one UNION ALL branch per source table; the course
    /// row (kind 0) also carries the descriptive facts exports need. Blocks carry their injection
    /// time in the time column; ultrasound rows (kind 5) the area in 0.01 mm², the thickness in
    /// 0.1 mm (the columns' own scales) and the three adhesion signs as bits.
    ///
    /// Kinds 6 and 7, read when `asks`, are the times the patient was asked to answer: the
    /// outbox's sent messages (dated by their follow-up's due date, at the time sent) and the links
    /// the clinic made by hand (the outbox's own are its messages).
    ///
    /// `courseFilter` (conditions on alias `c`) narrows the courses. With one, every branch joins
    /// the selected courses, so a site's report reads that site's rows through the course_id
    /// indexes; without one, each table is read whole, which is the fastest way to read it all.
    ///
    /// `selectedFirst` instead selects the courses once, into `c`, before reading their rows: for
    /// a few courses picked by a costly condition (the due list's), which each branch would
    /// otherwise evaluate again.
    static func sql(courseFilter: String? = nil, selectedFirst: Bool = false, asks: Bool = false) -> String {
        func children(_ table: String, _ alias: String, joining: String = "", kept: String? = nil) -> String {
            let kept = kept ?? "\(alias).voided_at IS NULL"
            guard let courseFilter else { return "\(table) \(alias)\(joining) WHERE \(kept)" }
            if selectedFirst { return "\(table) \(alias)\(joining) JOIN c ON c.id = \(alias).course_id WHERE \(kept)" }
            return "\(table) \(alias)\(joining) JOIN treatment_courses c ON c.id = \(alias).course_id WHERE \(kept)"
                + " AND c.voided_at IS NULL\(courseFilter)"
        }
        let askRows =
            """

            UNION ALL
            SELECT x.course_id, 6::int2, x.due_on - DATE '1970-01-01', x.number, 0, 0, x.channel, NULL, NULL, NULL,
                coalesce(x.sent_at, x.queued_at), NULL, NULL
              FROM \(children("follow_up_messages", "x", kept: "x.state = 'sent'"))
            UNION ALL
            SELECT x.course_id, 7::int2, 0, 0, 0, 0, NULL, NULL, NULL, NULL, x.created_at, NULL, NULL
              FROM \(children("follow_up_links", "x", kept: "NOT EXISTS (SELECT FROM follow_up_messages m WHERE m.link_id = x.id)"))
            """
        let courses =
            selectedFirst
            ? "WITH c AS MATERIALIZED (SELECT * FROM treatment_courses c WHERE c.voided_at IS NULL\(courseFilter ?? "")) SELECT c.id" : "SELECT c.id"
        return """
            \(courses), 0::int2, c.started_on - DATE '1970-01-01', coalesce(c.patient_age_at_start, -1),
                   coalesce(c.symptom_onset - DATE '1970-01-01', (\(missing))::int4), 0, c.side, c.icd10, c.site_id,
                   c.clinician_id, c.created_at, c.patient_sex, c.patient_id
              FROM \(selectedFirst ? "c" : "treatment_courses c WHERE c.voided_at IS NULL\(courseFilter ?? "")")
            UNION ALL
            SELECT s.course_id, 1::int2, s.session_on - DATE '1970-01-01', p.position, 0, 0, p.kind, p.injectate, NULL, NULL, s.created_at, NULL, NULL
              FROM \(children("treatment_sessions", "s", joining: " JOIN procedures p ON p.session_id = s.id"))
            UNION ALL
            SELECT x.course_id, 2::int2, x.recorded_on - DATE '1970-01-01', x.nrs, 0, 0, x.timepoint, x.source, NULL, NULL, x.created_at, NULL, NULL
              FROM \(children("pain_scores", "x"))
            UNION ALL
            SELECT x.course_id, 3::int2, x.occurred_on - DATE '1970-01-01', 0, 0, 0, x.kind, NULL, NULL, NULL, x.created_at, NULL, NULL
              FROM \(children("course_events", "x"))
            UNION ALL
            SELECT x.course_id, 4::int2, 0, x.nrs_before, x.nrs_after, x.assessed_minutes_after, NULL, NULL, NULL, NULL, x.performed_at, NULL, NULL
              FROM \(children("diagnostic_blocks", "x"))
            UNION ALL
            SELECT x.course_id, 5::int2, x.recorded_on - DATE '1970-01-01', coalesce((x.nerve_csa_mm2 * 100)::int4, (\(missing))::int4),
                   coalesce((x.fascia_thickness_mm * 10)::int4, (\(missing))::int4),
                   x.fascia_adhesion::int4 + 2 * x.restricted_gliding::int4 + 4 * x.tunnel_narrowing::int4, NULL, NULL, NULL, NULL,
                       x.created_at, NULL, NULL
              FROM \(children("ultrasound_findings", "x"))
            """ + (asks ? askRows : "")
    }
}
