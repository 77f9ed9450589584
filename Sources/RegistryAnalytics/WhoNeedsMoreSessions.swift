import Foundation
import RegistryCore

/// CLINICAL.md, "Who needs more sessions?": improvement on the session scale compared across
/// what was known before treatment, one characteristic at a time and together in a Cox model.
/// The 1–2 and 3–5 cohorts are defined by the outcome; these characteristics are not, so they can
/// test the clinic's claim, as associations in observational data.
public struct WhoNeedsMoreSessions: Codable, Sendable {
    /// Evaluable courses analysed.
    public let courses: Int
    public let characteristics: [Characteristic]
    public let model: Model
    public let interpretation: String

    public struct Characteristic: Codable, Sendable {
        public let key: String
        public let label: String
        public let groups: [Group]
        /// Across the groups with courses, on k − 1 degrees of freedom.
        public let logRank: LogRankTest
    }

    public struct Group: Codable, Sendable {
        public let label: String
        public let courses: Int
        public let responders: Int
        public let cumulativeResponse: [OutcomeReport.SessionStep]
        /// Responders in the first configured cohort (default 1–2 sessions) among the group's responders.
        public let firstCohortShare: Proportion
    }

    public struct Model: Codable, Sendable {
        /// Courses with every characteristic known (the model's complete cases) among `courses`.
        public let completeCases: Int
        /// Characteristics left out because they do not vary among the complete cases.
        public let constant: [String]
        public let fit: CoxModel
    }

    public static let interpretationText =
        "These are associations in observational data: courses differ in more than the "
        + "characteristics compared, and a hazard ratio below 1 means slower improvement (more sessions), not that a "
        + "characteristic causes it."
}

/// The analysis over the evaluable courses the report collected (the median splits and the Cox
/// model need them all at once).
struct WhoNeedsMoreSessionsBuilder: Sendable {
    let courses: [EvaluableCourse]

    func report() -> WhoNeedsMoreSessions {
        let thickness = median(\.fasciaThicknessMm), csa = median(\.nerveCsaMm2)
        let characteristics = [
            characteristic(
                "symptom_duration", "Symptom duration at the first session",
                BaselineCharacteristics.SymptomDuration.allCases.map(\.rawValue)
            ) { $0.symptomDuration?.rawValue },
            characteristic(
                "adhesion_on_ultrasound", "Adhesion on ultrasound (fascia adhesion, restricted gliding or tunnel narrowing)",
                ["adhesion", "no adhesion"]
            ) { $0.adhesionOnUltrasound.map { $0 ? "adhesion" : "no adhesion" } },
            characteristic(
                "fascia_thickness_mm", "Thoracolumbar fascia thickness (split at the median)",
                split(thickness, unit: "mm")
            ) { c in c.fasciaThicknessMm.map { splitLabel($0, thickness, unit: "mm") } },
            characteristic(
                "nerve_csa_mm2", "Nerve cross-sectional area (split at the median)",
                split(csa, unit: "mm²")
            ) { c in c.nerveCsaMm2.map { splitLabel($0, csa, unit: "mm²") } },
            characteristic("baseline_nrs", "Baseline NRS", ["≤6", "≥7"]) { $0.baselineNRS.map { $0 <= 6 ? "≤6" : "≥7" } },
            characteristic("age_at_start", "Age at course start", ["<50", "50-64", "≥65"]) {
                $0.ageAtStart.map { $0 < 50 ? "<50" : $0 < 65 ? "50-64" : "≥65" }
            },
            characteristic("block_relief_percent", "Diagnostic block relief", ["<50%", "50-69%", "≥70%"]) {
                $0.blockReliefPercent.map { $0 < 50 ? "<50%" : $0 < 70 ? "50-69%" : "≥70%" }
            },
            characteristic("first_treatment", "Treatment at the first session", BaselineCharacteristics.firstTreatments) { $0.firstTreatment },
        ]
        return WhoNeedsMoreSessions(
            courses: courses.count, characteristics: characteristics, model: model(),
            interpretation: WhoNeedsMoreSessions.interpretationText)
    }

    /// The groups of one characteristic: every listed value that has courses, and "missing" always.
    /// One pass, keeping counts per group rather than copies of the courses.
    private func characteristic(
        _ key: String, _ label: String, _ values: [String],
        _ group: (BaselineCharacteristics) -> String?
    ) -> WhoNeedsMoreSessions.Characteristic {
        struct Tally {
            var survival = SurvivalCounts()
            var courses = 0, responders = 0, firstCohort = 0
        }
        var tallies: [String: Tally] = [:]
        for course in courses {
            let label = group(course.characteristics) ?? "missing"
            var tally = tallies[label, default: Tally()]
            tally.survival.add(course.sessions, event: course.responder)
            tally.courses += 1
            if course.responder { tally.responders += 1 }
            if course.firstCohort { tally.firstCohort += 1 }
            tallies[label] = tally
        }
        let labels = values.filter { tallies[$0] != nil } + ["missing"]
        let groups = labels.map { label in
            let tally = tallies[label] ?? Tally()
            return WhoNeedsMoreSessions.Group(
                label: label, courses: tally.courses, responders: tally.responders,
                cumulativeResponse: OutcomeReport.SessionStep.steps(tally.survival),
                firstCohortShare: Proportion(tally.firstCohort, of: tally.responders))
        }
        return WhoNeedsMoreSessions.Characteristic(
            key: key, label: label, groups: groups,
            logRank: LogRankTest(grouped: labels.map { (tallies[$0] ?? Tally()).survival.grouped }))
    }

    private func median(_ value: KeyPath<BaselineCharacteristics, Double?>) -> Double? {
        quantile7(courses.compactMap { $0.characteristics[keyPath: value] }, 0.5)
    }

    /// "≤m unit" and ">m unit" around the median (none without values).
    private func split(_ median: Double?, unit: String) -> [String] {
        median.map { [splitLabel(at: $0, above: false, unit: unit), splitLabel(at: $0, above: true, unit: unit)] } ?? []
    }

    private func splitLabel(_ value: Double, _ median: Double?, unit: String) -> String {
        splitLabel(at: median ?? 0, above: value > (median ?? 0), unit: unit)
    }

    private func splitLabel(at median: Double, above: Bool, unit: String) -> String {
        (above ? ">" : "≤") + String(format: "%.2f", median) + " " + unit
    }

    /// Improvement on the session scale against every characteristic at once, over the courses
    /// where all are known. The first treatment enters as one indicator per treatment other than
    /// the reference (D5W when present, else the commonest); characteristics that do not vary
    /// are left out; a group without any improvement makes the model not estimable.
    private func model() -> WhoNeedsMoreSessions.Model {
        let complete = courses.filter { $0.characteristics.complete }
        let design = BaselineDesign(complete.map(\.characteristics))
        let subjects = zip(complete, design.rows).map { course, row in
            CoxModel.Subject(time: Double(course.sessions), event: course.responder, covariates: row)
        }
        let columns = zip(design.names, design.binary).map { (name: $0, binary: $1) }
        let constant = design.constant
        // A binary group (either side) without improvement has an infinite hazard ratio.
        var eventless: [String] = []
        for (index, column) in columns.enumerated() where column.binary {
            for side in [0.0, 1.0] where !subjects.contains(where: { $0.event && $0.covariates[index] == side }) {
                eventless.append("\(column.name) = \(side == 1 ? "yes" : "no")")
            }
        }
        let names = columns.map(\.name)
        let fit =
            eventless.isEmpty
            ? CoxModel(subjects, names: names)
            : CoxModel(notEstimable: "no improvement among courses with " + eventless.joined(separator: "; "), subjects, names: names)
        return WhoNeedsMoreSessions.Model(completeCases: complete.count, constant: constant, fit: fit)
    }
}

/// The model's columns for the baseline characteristics (CLINICAL.md, "Who needs more
/// sessions?"), for the Cox model and the funnel plots' logistic models alike: the first
/// treatment as one indicator per treatment other than the reference (D5W when present, else the
/// commonest); columns that do not vary among the courses are left out.
struct BaselineDesign {
    let names: [String]
    let binary: [Bool]
    /// One row per course, in the order given.
    let rows: [[Double]]
    /// Characteristics left out because they do not vary.
    let constant: [String]

    /// `complete`: courses with every characteristic known.
    init(_ complete: [BaselineCharacteristics]) {
        let treatments = Dictionary(grouping: complete) { $0.firstTreatment! }
        let reference: String? = treatments["d5w"] != nil ? "d5w" : treatments.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key
        var columns: [(name: String, value: (BaselineCharacteristics) -> Double, binary: Bool)] = [
            ("chronic (symptoms > 3 months)", { $0.symptomDuration!.chronic ? 1 : 0 }, true),
            ("adhesion on ultrasound", { $0.adhesionOnUltrasound! ? 1 : 0 }, true),
            ("fascia thickness, per mm", { $0.fasciaThicknessMm! }, false),
            ("nerve cross-sectional area, per mm²", { $0.nerveCsaMm2! }, false),
            ("baseline NRS, per point", { Double($0.baselineNRS!) }, false),
            ("age, per 10 years", { Double($0.ageAtStart!) / 10 }, false),
            ("block relief, per 10 percentage points", { $0.blockReliefPercent! / 10 }, false),
        ]
        for treatment in BaselineCharacteristics.firstTreatments where treatment != reference && treatments[treatment] != nil {
            columns.append(("first treatment \(treatment) (vs \(reference ?? "–"))", { $0.firstTreatment == treatment ? 1 : 0 }, true))
        }
        let constant = columns.filter { column in Set(complete.map { column.value($0) }).count < 2 }.map(\.name)
        columns.removeAll { constant.contains($0.name) }
        self.constant = constant
        let kept = columns
        names = kept.map(\.name)
        binary = kept.map(\.binary)
        rows = complete.map { c in kept.map { $0.value(c) } }
    }
}

extension BaselineCharacteristics {
    /// Every characteristic the models use is known.
    var complete: Bool {
        symptomDuration != nil && adhesionOnUltrasound != nil && fasciaThicknessMm != nil && nerveCsaMm2 != nil
            && baselineNRS != nil && ageAtStart != nil && blockReliefPercent != nil && firstTreatment != nil
    }
}
