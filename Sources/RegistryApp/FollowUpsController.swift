import Foundation
import HTTPTypes
import Hummingbird
import RegistryAnalytics
import RegistryCore
import RegistryStore
import RegistryWeb

/// Follow-up: the due list (JSON and page), patient links made from the course page, and the
/// page a patient answers from — without an account, showing the clinic's name and nothing else.
struct FollowUpsController {
    let services: RegistryServices
    /// Answers from patient links, counted per link and per address (one limiter for the process).
    let answerLimiter = RateLimiter()

    /// `GET /api/v1/follow-ups/due`: who to ask today at the caller's sites, with contact details.
    var apiRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("follow-ups/due") { request, context in
            let principal = try context.require(.readIdentity)
            let due = try await services.repositories.followUps.due(
                siteId: try request.uuidQuery("siteId"), scope: principal.siteScope, today: services.config.today(now: services.now()))
            return JSONResponse.make(
                status: .ok,
                [
                    "items": due.map { item in
                        DueFollowUpJSON(courseId: item.courseId, siteId: item.siteId, patient: item.patient, followUp: item.followUp)
                    }
                ])
        }
        return api
    }

    /// The due list and review page, link buttons, and /f/{token}, the patient's page.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("follow-ups") { request, _ in
            try await services.page(request) { principal, language in
                let rows = try await services.dueRows(principal)
                let reviews = try await services.repositories.followUps.openReviews(scope: principal.siteScope)
                let patients = try await services.repositories.patients.identities(Set(reviews.map(\.patientId)), scope: principal.siteScope)
                return try services.pages.followUps(
                    language, viewer: services.viewer(principal), rows: rows,
                    reviews: reviews.map { review in
                        let patient = patients[review.patientId]
                        return (
                            review.reviewId, review.courseId, patient.map { "\($0.familyName) \($0.givenName) (\($0.mrn))" } ?? "", review.answeredOn
                        )
                    }, csrf: services.csrfToken(request), writable: principal.may(.writeClinical))
            }
        }
        routes.post("follow-ups/reviews/:id/resolve") { request, context in
            try await services.page(request) { principal, _ in
                guard principal.may(.writeClinical) else { throw PageRefusal.readOnly }
                try await services.checkCSRF(request)
                try await services.repositories.followUps.resolveReview(
                    try context.pathId("review"), scope: principal.siteScope,
                    by: principal.actor("POST /follow-ups/reviews/{id}/resolve"))
                throw PageRefusal.done(location: "/follow-ups")
            }
        }
        routes.post("courses/:id/follow-up-links") { request, context in
            try await services.page(request) { principal, language in
                guard principal.may(.writeClinical) else { throw PageRefusal.readOnly }
                try await services.checkCSRF(request)
                let id = try context.pathId("course")
                let link = try await services.repositories.followUps.createLink(
                    courseId: id, scope: principal.siteScope, by: principal.actor("POST /courses/{id}/follow-up-links"))
                // The token is not stored: this answer is the only place it appears (no-store).
                throw PageRefusal.shown(
                    try await services.coursePage(
                        id, principal: principal, language: language, request: request,
                        issuedLink: "\(services.config.server.publicOrigin)/f/\(link.token)"))
            }
        }
        routes.post("courses/:id/follow-up-links/:linkId/revoke") { request, context in
            try await services.page(request) { principal, _ in
                guard principal.may(.writeClinical) else { throw PageRefusal.readOnly }
                try await services.checkCSRF(request)
                let id = try context.pathId("course")
                try await services.repositories.followUps.revokeLink(
                    try context.pathId("link", "linkId"), courseId: id, scope: principal.siteScope,
                    by: principal.actor("POST /courses/{id}/follow-up-links/{linkId}/revoke"))
                throw PageRefusal.done(location: "/courses/\(id.uuidString.lowercased())#follow-up")
            }
        }
        routes.get("f/:token") { request, context in
            let language = services.language(of: request)
            let token = context.parameters.get("token") ?? ""
            guard let link = try await services.repositories.followUps.link(token: token, today: services.config.today(now: services.now())) else {
                return patientPage(.notFound, language, clinic: nil, .invalidLink, request)
            }
            guard let open = link.open else {
                return patientPage(.ok, language, clinic: link.clinic, link.answeredRecently ? .alreadyReceived : .nothingDue, request)
            }
            return patientPage(.ok, language, clinic: link.clinic, .ask(answerForm(token), label: open.label), request)
        }
        routes.post("f/:token") { request, context in
            let language = services.language(of: request)
            let token = context.parameters.get("token") ?? ""
            let address = request.clientAddress(context, trustProxy: services.config.server.trustProxy)
            let posted = try await PostedForm.read(request)
            let today = services.config.today(now: services.now()), limits = services.config.followUp
            // Guesses at tokens are counted apart from answers, so someone guessing from behind
            // a carrier's shared address does not use up the hour of a real patient there.
            guard let link = try await services.repositories.followUps.link(token: token, today: today) else {
                guard await answerLimiter.allow("unknown:" + address, limit: limits.answersPerAddressPerHour, now: services.now()) else {
                    return patientPage(.tooManyRequests, language, clinic: nil, .tooMany, request)
                }
                return patientPage(.notFound, language, clinic: nil, .invalidLink, request)
            }
            guard await answerLimiter.allow("link:" + Secret.hash(token), limit: limits.answersPerLinkPerHour, now: services.now()),
                await answerLimiter.allow("address:" + address, limit: limits.answersPerAddressPerHour, now: services.now())
            else {
                return patientPage(.tooManyRequests, language, clinic: nil, .tooMany, request)
            }
            do {
                let answer = try PatientAnswerInput(
                    nrs: posted.values["nrs"], pgic: posted.values["pgic"], painCameBack: posted.values["painCameBack"]
                ).validated()
                switch try await services.repositories.followUps.answer(token: token, answer, today: today) {
                case .recorded:
                    services.metrics.write(kind: "follow-up-answers", replayed: false)
                    return patientPage(.ok, language, clinic: link.clinic, .thanks, request)
                case .alreadyReceived: return patientPage(.ok, language, clinic: link.clinic, .alreadyReceived, request)
                case .nothingDue: return patientPage(.ok, language, clinic: link.clinic, .nothingDue, request)
                case .invalidLink: return patientPage(.notFound, language, clinic: nil, .invalidLink, request)
                }
            } catch let failure as ValidationFailure {
                var form = answerForm(token)
                form.values = posted.values
                form.problems = failure.problems
                return patientPage(.unprocessableContent, language, clinic: link.clinic, .ask(form, label: link.open?.label ?? ""), request)
            }
        }
        return routes
    }

    private func answerForm(_ token: String) -> FilledForm {
        FilledForm(spec: .patientAnswer, action: "/f/\(token)", csrf: "", idempotencyKey: "", submitKey: "send")
    }

    private func patientPage(
        _ status: HTTPResponse.Status, _ language: Language, clinic: String?, _ page: Pages.PatientPage, _ request: Request
    ) -> Response {
        // A page that fails to render is a bug; the template set is checked at start-up.
        services.html(status, (try? services.pages.patientFollowUp(language, clinic: clinic, page: page)) ?? "", request)
    }
}

/// A due follow-up as the JSON route gives it.
struct DueFollowUpJSON: Encodable {
    let courseId: UUID
    let siteId: UUID
    let patient: PatientRecord
    let followUp: FollowUpSchedule.FollowUp
}
