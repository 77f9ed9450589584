import Foundation
import RegistryCore

/// What the analyses that need every evaluable course at once (who needs more sessions, the
/// funnel plots) keep of each: about 100 bytes a course, collected once for both.
struct EvaluableCourse: Sendable {
    let site: UUID
    let clinician: UUID
    /// Sessions to improvement, or the sessions had when the course did not improve.
    let sessions: Int
    let responder: Bool
    /// Improved within the first configured cohort (default 1–2 sessions).
    let firstCohort: Bool
    let characteristics: BaselineCharacteristics

    /// The course, when it is evaluable (and so has a first session and its characteristics).
    init?(_ outcome: CourseOutcome, site: UUID, clinician: UUID, firstCohort cohort: ClinicalRules.Cohort?) {
        guard outcome.evaluable, let characteristics = outcome.characteristics else { return nil }
        let sessions = outcome.sessionsToImprovement ?? outcome.sessionCount
        self.init(
            site: site, clinician: clinician, sessions: sessions, responder: outcome.responder,
            firstCohort: outcome.responder && (cohort?.contains(sessions) ?? false), characteristics: characteristics)
    }

    init(site: UUID, clinician: UUID, sessions: Int, responder: Bool, firstCohort: Bool, characteristics: BaselineCharacteristics) {
        self.site = site
        self.clinician = clinician
        self.sessions = sessions
        self.responder = responder
        self.firstCohort = firstCohort
        self.characteristics = characteristics
    }
}
