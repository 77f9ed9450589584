import Foundation
import RegistryCore

/// The FHIR R4 resource types the registry writes, in the order a reader meets them: each
/// refers only to types before it (Observation to QuestionnaireResponse and Procedure).
public enum FHIRResourceType: String, Sendable, CaseIterable {
    case patient = "Patient", condition = "Condition", episodeOfCare = "EpisodeOfCare", procedure = "Procedure"
    case questionnaireResponse = "QuestionnaireResponse", observation = "Observation"

    public var fileName: String { rawValue + ".ndjson" }
}

/// Whose ids and dates a FHIR query writes: the record's own (the course Bundle for the clinical
/// record) or the research export's pseudonyms and shifted dates, from the same keyed HMAC as
/// the CSV export (`export_mac`, so one patient has one pseudonym in both).
enum FHIRIdentity {
    case identified
    /// Placeholders of the export key's inner and outer pads.
    case pseudonymous(inner: String, outer: String)

    /// The FHIR id of the row `column` identifies; `kind` keeps pseudonyms of different record
    /// kinds apart, as in the CSV export.
    func id(_ kind: String, _ column: String) -> String {
        switch self {
        case .identified: "\(column)::text"
        case .pseudonymous(let inner, let outer): "export_pseudonym('\(kind)', export_mac(\(inner), \(outer), '\(kind)', \(column)))"
        }
    }

    /// The selected courses `c` with their references and date shift; `condition` narrows
    /// `treatment_courses c`.
    func courses(condition: String) -> String {
        let shift: String
        switch self {
        case .identified: shift = "0"
        case .pseudonymous(let inner, let outer): shift = "export_shift(export_mac(\(inner), \(outer), 'shift', c.patient_id))"
        }
        return """
            WITH c AS (
                SELECT c.id, c.patient_id, c.site_id, c.side, c.icd10, c.symptom_onset, c.started_on, c.version,
                       c.patient_sex, c.patient_age_at_start,
                       \(id("C", "c.id")) AS ref, \(id("P", "c.patient_id")) AS patient_ref, \(shift) AS shift
                FROM treatment_courses c WHERE c.voided_at IS NULL\(condition)
                OFFSET 0)
            """
    }
}

/// A SQL expression whose value is JSON text, or NULL where the value is absent: an object
/// leaves such a field out, as FHIR has no nulls.
struct JSONText {
    let sql: String
    init(_ sql: String) { self.sql = sql }
}

/// How each resource is built from the registry's rows, once, for both the course Bundle and the
/// Bulk export: PostgreSQL writes every resource as JSON text (as it writes the CSV export's
/// lines), so a million scores never become Swift values. The text is put together with `||` and
/// `concat_ws` rather than `json_build_object`, which looks up every argument's type on every
/// row; values that may hold any character go through `to_json`, codes and ids from the
/// schema's constrained vocabularies are quoted as they are. Voided records are left out; a
/// corrected one carries its latest version as `meta.versionId`.
struct FHIRQueries {
    let identity: FHIRIdentity
    /// Placeholder of the base URI of the registry's own code systems, extensions and
    /// identifiers, escaped for a JSON string (without its quotes).
    let base: String
    /// Placeholders of the block rule's threshold and window (the relief Observation's interpretation).
    let threshold: String
    let window: (String, String)

    static let loinc = "http://loinc.org", snomed = "http://snomed.info/sct", ucum = "http://unitsofmeasure.org"
    static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"

    /// `SELECT … AS resource` (JSON text) of one type, after `identity.courses(…)`.
    func select(_ type: FHIRResourceType) -> String {
        switch type {
        case .patient: patients
        case .condition: conditions
        case .episodeOfCare: episodes
        case .procedure: blocks + " UNION ALL " + sessionProcedures
        case .questionnaireResponse: answers
        case .observation: scores + " UNION ALL " + reliefs
        }
    }

    // MARK: JSON text in SQL

    /// `value` as a SQL string literal.
    private func sqlLiteral(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
    /// `value` escaped for the inside of a JSON string.
    static func escaped(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Encoding a String cannot fail.
        let quoted = String(decoding: (try? encoder.encode(value)) ?? Data("\"\"".utf8), as: UTF8.self)
        return String(quoted.dropFirst().dropLast())
    }
    private func escaped(_ value: String) -> String { Self.escaped(value) }
    /// A constant JSON string.
    private func literal(_ value: String) -> JSONText { JSONText(sqlLiteral("\"" + escaped(value) + "\"")) }
    /// A JSON string of any text.
    private func string(_ expression: String) -> JSONText { JSONText("to_json((\(expression))::text)::text") }
    /// A JSON string of a value that holds no quote, backslash or control character: an id, a
    /// pseudonym, a version, a code from a vocabulary the schema constrains, or the registry's own words.
    private func token(_ expression: String) -> JSONText { JSONText("('\"' || (\(expression)) || '\"')") }
    /// A JSON number or boolean.
    private func number(_ expression: String) -> JSONText { JSONText("(\(expression))::text") }
    /// A JSON string of a date or an instant in FHIR's (ISO 8601) form.
    private func date(_ expression: String) -> JSONText { JSONText("to_json(\(expression))::text") }
    /// A JSON string of the base URI followed by `path` and, when given, a token expression.
    private func url(_ path: String, then expression: String? = nil) -> JSONText {
        JSONText("('\"' || \(base) || " + sqlLiteral(escaped(path)) + (expression.map { " || (\($0))" } ?? "") + " || '\"')")
    }
    private func when(_ condition: String, _ value: JSONText) -> JSONText { JSONText("CASE WHEN \(condition) THEN \(value.sql) END") }

    /// A JSON object of `fields`; a field whose value is NULL is left out.
    private func object(_ fields: [(String, JSONText)]) -> JSONText {
        JSONText("('{' || concat_ws(',', " + fields.map { sqlLiteral("\"\($0.0)\":") + " || " + $0.1.sql }.joined(separator: ", ") + ") || '}')")
    }
    /// A JSON object that is NULL when any of its fields is.
    private func whole(_ fields: [(String, JSONText)]) -> JSONText {
        JSONText(
            "(" + sqlLiteral("{") + " || "
                + fields.enumerated().map { index, field in
                    sqlLiteral((index == 0 ? "" : ",") + "\"\(field.0)\":") + " || " + field.1.sql
                }.joined(separator: " || ") + " || '}')")
    }
    /// A JSON array of `items`, each of which is never NULL.
    private func array(_ items: JSONText...) -> JSONText {
        JSONText("('[' || " + items.map(\.sql).joined(separator: " || ',' || ") + " || ']')")
    }
    /// A JSON array of the items that are not NULL, or NULL when none is (FHIR allows no empty arrays).
    private func present(_ items: [JSONText]) -> JSONText {
        JSONText("nullif('[' || concat_ws(',', " + items.map(\.sql).joined(separator: ", ") + ") || ']', '[]')")
    }
    private func coding(_ system: JSONText, _ code: JSONText, display: JSONText? = nil) -> JSONText {
        object([("system", system), ("code", code)] + (display.map { [("display", $0)] } ?? []))
    }
    private func coding(_ system: String, _ code: String, display: String? = nil) -> JSONText {
        coding(literal(system), literal(code), display: display.map(literal))
    }
    private func concept(_ codings: [JSONText], text label: JSONText? = nil) -> JSONText {
        object(
            [("coding", JSONText("('[' || " + codings.map(\.sql).joined(separator: " || ',' || ") + " || ']')"))]
                + (label.map { [("text", $0)] } ?? []))
    }
    private func reference(_ type: String, _ id: String) -> JSONText { object([("reference", token(sqlLiteral(type + "/") + " || " + id))]) }
    private func meta(_ version: String) -> JSONText { object([("versionId", token(version))]) }
    /// An extension of the registry's, NULL when its value is.
    private func extensionValue(_ name: String, _ key: String, _ value: JSONText) -> JSONText {
        whole([("url", url("/StructureDefinition/" + name)), (key, value)])
    }
    /// A UCUM quantity, NULL when its value is.
    private func quantity(_ value: String, _ unit: String) -> JSONText {
        whole([("value", number(value)), ("unit", literal(unit)), ("system", literal(Self.ucum)), ("code", literal(unit))])
    }
    /// A coding of the registry's code system `system`, NULL when its code is.
    private func localCode(_ system: String, _ code: String) -> JSONText {
        whole([("system", url("/CodeSystem/" + system)), ("code", token(code))])
    }
    private func resource(_ type: String, _ fields: [(String, JSONText)]) -> String {
        object([("resourceType", literal(type))] + fields).sql + " AS resource"
    }
    private func day(_ column: String) -> JSONText { date("(\(column) + c.shift)") }
    private func instant(_ column: String) -> JSONText { date("(\(column) + c.shift * interval '1 day')") }
    private var subject: JSONText { reference("Patient", "c.patient_ref") }
    private var condition: JSONText { reference("Condition", "c.ref") }
    private func site(_ side: String) -> JSONText { array(object([("text", token("\(side) || ' superior cluneal nerve'"))])) }

    // MARK: Resources

    /// One per patient, from their first selected course. Identified: MRN under the site's
    /// identifier system, name, birth date. Pseudonymous: sex and a five-year age band only.
    private var patients: String {
        let first = "(SELECT DISTINCT ON (c.patient_id) c.* FROM c ORDER BY c.patient_id, c.started_on, c.id) c"
        switch identity {
        case .identified:
            return "SELECT "
                + resource(
                    "Patient",
                    [
                        ("id", token("c.patient_ref")),
                        (
                            "identifier",
                            array(
                                object([
                                    (
                                        "type",
                                        concept([coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", display: "Medical record number")])
                                    ),
                                    ("system", url("/sites/", then: "lower(s.code) || '/mrn'")), ("value", string("i.mrn")),
                                ]))
                        ),
                        ("name", array(object([("family", string("i.family_name")), ("given", array(string("i.given_name")))]))),
                        ("gender", token("i.sex")), ("birthDate", date("i.date_of_birth")),
                    ]) + " FROM \(first) JOIN patient_identities i ON i.patient_id = c.patient_id JOIN sites s ON s.id = i.site_id"
        case .pseudonymous:
            let band =
                "CASE WHEN c.patient_age_at_start >= 90 THEN '90+' ELSE (c.patient_age_at_start / 5 * 5) || '-' || (c.patient_age_at_start "
                + "/ 5 * 5 + 4) END"
            return "SELECT "
                + resource(
                    "Patient",
                    [
                        ("id", token("c.patient_ref")),
                        (
                            "meta",
                            object([
                                (
                                    "security",
                                    array(coding("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "PSEUDED", display: "pseudonymized"))
                                )
                            ])
                        ),
                        ("extension", present([extensionValue("age-band", "valueString", token(band))])),
                        ("gender", token("c.patient_sex")),
                    ]) + " FROM \(first)"
        }
    }

    /// The course's diagnosis, coded in ICD-10-CM as recorded, at the complaint's side.
    private var conditions: String {
        let display =
            "CASE c.icd10 WHEN 'G57.81' THEN 'Other specified mononeuropathies of right lower limb' "
            + "WHEN 'G57.82' THEN 'Other specified mononeuropathies of left lower limb' WHEN 'M54.50' THEN 'Low back pain, unspecified' END"
        return "SELECT "
            + resource(
                "Condition",
                [
                    ("id", token("c.ref")), ("meta", meta("c.version")),
                    ("clinicalStatus", concept([coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")])),
                    // TW Core's Condition requires a category; base R4 allows it.
                    (
                        "category",
                        array(
                            concept([
                                coding(
                                    "http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", display: "Encounter Diagnosis")
                            ]))
                    ),
                    ("code", concept([coding(literal("http://hl7.org/fhir/sid/icd-10-cm"), string("c.icd10"), display: string(display))])),
                    ("bodySite", site("c.side")),
                    ("subject", subject), ("onsetDateTime", day("c.symptom_onset")), ("recordedDate", day("c.started_on")),
                ]) + " FROM c"
    }

    /// The treatment course: active until a discharge, loss to follow-up, other surgery or death ends it.
    private var episodes: String {
        let ended =
            "(SELECT min(e.occurred_on) AS last_day FROM course_events e WHERE e.course_id = c.id AND e.voided_at IS NULL"
            + " AND e.kind IN ('discharged', 'lost_to_follow_up', 'other_surgery', 'died')) ended"
        return "SELECT "
            + resource(
                "EpisodeOfCare",
                [
                    ("id", token("c.ref")), ("meta", meta("c.version")),
                    ("status", token("CASE WHEN ended.last_day IS NULL THEN 'active' ELSE 'finished' END")),
                    (
                        "type",
                        array(
                            concept(
                                [coding(url("/CodeSystem/episode"), literal("scn-treatment-course"))],
                                text: literal("SCN entrapment treatment course")))
                    ),
                    ("diagnosis", array(object([("condition", condition)]))),
                    ("patient", subject),
                    ("period", object([("start", day("c.started_on")), ("end", day("ended.last_day"))])),
                ]) + " FROM c CROSS JOIN LATERAL \(ended)"
    }

    /// The diagnostic block, with its anaesthetic and volume as extensions.
    private var blocks: String {
        "SELECT "
            + resource(
                "Procedure",
                [
                    ("id", token(identity.id("B", "b.id"))), ("meta", meta("b.version")),
                    (
                        "extension",
                        present([
                            extensionValue("injectate", "valueCoding", localCode("block-agent", "b.agent")),
                            extensionValue("volume", "valueQuantity", quantity("b.volume_ml", "mL")),
                        ])
                    ),
                    ("status", literal("completed")),
                    ("category", concept([coding(Self.snomed, "103693007", display: "Diagnostic procedure")])),
                    (
                        "code",
                        concept(
                            [coding(Self.snomed, "56333001", display: "Nerve block")],
                            text: literal("Ultrasound-guided diagnostic block of the superior cluneal nerve"))
                    ),
                    ("subject", subject), ("performedDateTime", instant("b.performed_at")),
                    ("reasonReference", array(condition)), ("bodySite", site("b.side")),
                ]) + " FROM diagnostic_blocks b JOIN c ON c.id = b.course_id WHERE b.voided_at IS NULL"
    }

    /// Each procedure of a session, coded in the registry's own system, with CPT 0232T for PRP
    /// and HCPCS M0076 for dextrose prolotherapy beside it; injectate, volume, leukocytes and
    /// concentration as extensions.
    private var sessionProcedures: String {
        let display = JSONText(
            "CASE p.kind WHEN 'hydrodissection' THEN \(literal("Ultrasound-guided hydrodissection").sql) "
                + "WHEN 'prp' THEN \(literal("Platelet-rich plasma injection").sql) "
                + "WHEN 'dextrose' THEN \(literal("Hyperosmolar dextrose injection (prolotherapy)").sql) "
                + "ELSE \(literal("Surgical neurolysis").sql) END"
        )
        let cpt = when("p.kind = 'prp'", coding("http://www.ama-assn.org/go/cpt", "0232T"))
        let hcpcs = when("p.kind = 'dextrose'", coding("http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "M0076"))
        return "SELECT "
            + resource(
                "Procedure",
                [
                    ("id", token(identity.id("X", "p.id"))), ("meta", meta("s.version")),
                    (
                        "extension",
                        present([
                            extensionValue("injectate", "valueCoding", localCode("injectate", "p.injectate")),
                            extensionValue("volume", "valueQuantity", quantity("p.volume_ml", "mL")),
                            extensionValue("leukocytes", "valueCoding", localCode("leukocytes", "p.leukocytes")),
                            extensionValue("dextrose-concentration", "valueQuantity", quantity("p.dextrose_percent", "%")),
                        ])
                    ),
                    ("status", literal("completed")),
                    ("code", object([("coding", present([coding(url("/CodeSystem/procedure"), token("p.kind"), display: display), cpt, hcpcs]))])),
                    ("subject", subject), ("performedDateTime", day("s.session_on")),
                    ("reasonReference", array(condition)),
                ]) + " FROM treatment_sessions s JOIN c ON c.id = s.course_id JOIN procedures p ON p.session_id = s.id WHERE s.voided_at IS NULL"
    }

    /// A patient's answer from a follow-up link, with the scores of the latest version of the
    /// pain score it made.
    private var answers: String {
        func item(_ linkId: String, _ label: String, _ key: String, _ value: String) -> JSONText {
            when(
                "\(value) IS NOT NULL",
                object([("linkId", literal(linkId)), ("text", literal(label)), ("answer", array(object([(key, number(value))])))]))
        }
        return "SELECT "
            + resource(
                "QuestionnaireResponse",
                [
                    ("id", token(identity.id("A", "a.id"))),
                    ("questionnaire", url("/Questionnaire/follow-up")),
                    ("status", literal("completed")),
                    ("subject", subject), ("authored", instant("a.answered_at")), ("author", subject), ("source", subject),
                    (
                        "item",
                        present([
                            item("nrs", "Pain now, 0-10", "valueInteger", "p.nrs"),
                            item("odi", "Oswestry Disability Index, 0-100", "valueInteger", "p.odi"),
                            item("pgic", "Impression of change, 1-7", "valueInteger", "p.pgic"),
                            item("pain_came_back", "Has the pain come back?", "valueBoolean", "a.pain_came_back"),
                        ])
                    ),
                ]) + " FROM follow_up_answers a JOIN c ON c.id = a.course_id JOIN pain_scores p ON p.id = a.pain_score_id WHERE p.voided_at IS NULL"
    }

    /// NRS (LOINC 72514-3), ODI (LOINC 97909-6) and PGIC (local) of each pain score, each its own
    /// Observation with the score's timepoint; a patient's come from their QuestionnaireResponse.
    private var scores: String {
        // Each measure's code as JSON text, built once for the query rather than once a row.
        func code(_ system: JSONText, _ code: String, _ label: String) -> String {
            concept([coding(system, literal(code))], text: literal(label)).sql
        }
        let measures =
            "(VALUES ('nrs', p.nrs, \(code(literal(Self.loinc), "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"))), "
            + "('odi', p.odi, \(code(literal(Self.loinc), "97909-6", "Oswestry Disability Index"))), "
            + "('pgic', p.pgic, \(code(url("/CodeSystem/measure"), "pgic", "Patient Global Impression of Change")))) m(suffix, value, code)"
        return "SELECT "
            + resource(
                "Observation",
                [
                    ("id", token(identity.id("N", "p.id") + " || '-' || m.suffix")), ("meta", meta("p.version")),
                    ("extension", JSONText("('[' || " + extensionValue("timepoint", "valueCode", token("p.timepoint")).sql + " || ']')")),
                    ("status", literal("final")),
                    ("category", array(concept([coding(Self.observationCategory, "survey")]))),
                    ("code", JSONText("m.code")),
                    ("subject", subject), ("focus", array(condition)), ("effectiveDateTime", day("p.recorded_on")),
                    ("performer", when("p.source = 'patient'", array(subject))),
                    ("valueInteger", number("m.value")),
                    ("derivedFrom", when("a.id IS NOT NULL", array(reference("QuestionnaireResponse", identity.id("A", "a.id"))))),
                ]) + " FROM pain_scores p JOIN c ON c.id = p.course_id LEFT JOIN follow_up_answers a ON a.pain_score_id = p.id"
            + " CROSS JOIN LATERAL \(measures) WHERE p.voided_at IS NULL AND m.value IS NOT NULL"
    }

    /// The block's relief, (before − after) / before × 100, positive or negative by the configured
    /// rule, with the two scores and the minutes after the injection as components.
    private var reliefs: String {
        let relief = BlockRuleSQL.relief(nrsBefore: "b.nrs_before", nrsAfter: "b.nrs_after")
        let positive = BlockRuleSQL.positive(
            nrsBefore: "b.nrs_before", nrsAfter: "b.nrs_after", minutes: "b.assessed_minutes_after",
            threshold: threshold, minimum: window.0, maximum: window.1)
        let interpretation = token("CASE WHEN \(positive) THEN 'POS' ELSE 'NEG' END")
        func component(_ code: JSONText, _ label: String, _ key: String, _ value: JSONText) -> JSONText {
            object([("code", concept([code], text: literal(label))), (key, value)])
        }
        let nrs = coding(Self.loinc, "72514-3")
        return "SELECT "
            + resource(
                "Observation",
                [
                    ("id", token(identity.id("B", "b.id") + " || '-relief'")), ("meta", meta("b.version")),
                    ("partOf", array(reference("Procedure", identity.id("B", "b.id")))),
                    ("status", literal("final")),
                    ("category", array(concept([coding(Self.observationCategory, "procedure")]))),
                    (
                        "code",
                        concept(
                            [coding(url("/CodeSystem/measure"), literal("block-relief-percent"))],
                            text: literal("Pain relief after the diagnostic block"))
                    ),
                    ("subject", subject), ("focus", array(condition)), ("effectiveDateTime", instant("b.performed_at")),
                    ("valueQuantity", quantity("round(\(relief), 1)", "%")),
                    (
                        "interpretation",
                        array(concept([coding(literal("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"), interpretation)]))
                    ),
                    (
                        "component",
                        array(
                            component(nrs, "NRS before the block", "valueInteger", number("b.nrs_before")),
                            component(nrs, "NRS after the block", "valueInteger", number("b.nrs_after")),
                            component(
                                coding(url("/CodeSystem/measure"), literal("assessed-minutes-after")), "Minutes after the injection",
                                "valueQuantity", quantity("b.assessed_minutes_after", "min")))
                    ),
                ]) + " FROM diagnostic_blocks b JOIN c ON c.id = b.course_id WHERE b.voided_at IS NULL"
    }
}
