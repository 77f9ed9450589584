import Foundation
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// The course page: everything recorded, the course's derived state, its pain chart, its
/// follow-ups and patient links, and the pain-score form for those who may write. Shown by the
/// course's own route, again with a pain score's problems, and with a patient link just made.
struct CoursePage {
    let edge: WebEdge
    let courses: CourseRepository

    /// A fresh pain-score form (its own idempotency key) unless `form` brings back what was
    /// typed; `issuedLink` is a patient link just made, shown this once.
    func render(
        _ id: UUID, principal: Principal, language: Language, request: Request, form: FilledForm? = nil, issuedLink: String? = nil
    ) async throws -> String {
        let config = edge.config
        guard
            let overview = try await courses.overview(id, scope: principal.siteScope, followUp: config.followUp, today: config.today(now: edge.now()))
        else {
            throw StoreError.notFound("course")
        }
        var form = form
        if form == nil, principal.may(.writeClinical) {
            form = FilledForm(
                spec: .painScore, action: Paths.course(id) + "/pain-scores", csrf: CSRF.token(for: request),
                idempotencyKey: UUID().uuidString, values: defaults("pain-scores", course: overview.timeline.course))
        }
        let followUp = overview.schedule.map { schedule in
            Pages.CourseFollowUp(
                schedule: schedule, links: overview.links.map { ($0.id, $0.createdAt, $0.expiresAt, $0.revokedAt, $0.answers) },
                issuedURL: issuedLink, csrf: principal.may(.writeClinical) ? CSRF.token(for: request) : nil,
                messages: overview.messages.map(Pages.CourseFollowUp.Message.init))
        }
        return try edge.pages.course(
            language, viewer: edge.viewer(principal, request), timeline: overview.timeline, outcome: overview.outcome, patient: overview.patient,
            clinician: overview.clinicianName, site: overview.siteName, form: form, followUp: followUp)
    }

    /// A new record's first values: today (now, for a block) and the course's side.
    func defaults(_ segment: String, course: CourseRecord) -> [String: String] {
        let config = edge.config
        let today = config.today(now: edge.now()).description
        switch segment {
        case "blocks":
            let clock = DateFormatter()
            clock.locale = Locale(identifier: "en_US_POSIX")
            clock.timeZone = config.clinicTimeZone
            clock.dateFormat = "yyyy-MM-dd'T'HH:mm"
            return ["performedAt": clock.string(from: edge.now()), "side": course.side.rawValue]
        case "sessions": return ["sessionOn": today]
        case "pain-scores": return ["recordedOn": today, "timepoint": Timepoint.followUp.rawValue]
        case "events": return ["occurredOn": today]
        default: return ["recordedOn": today]
        }
    }
}
