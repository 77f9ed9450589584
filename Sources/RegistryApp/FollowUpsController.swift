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
    let edge: WebEdge
    let repositories: Repositories
    /// Answers from patient links, counted per link and per address (one limiter for the process).
    let answerLimiter = RateLimiter()

    /// `GET /api/v1/follow-ups/due`: who to ask today at the caller's sites, with contact details.
    var apiRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("follow-ups/due", use: dueList)
        return api
    }

    /// The due list and review page, link buttons, and /f/{token}, the patient's page.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("follow-ups", use: followUpsPage)
        routes.post("follow-ups/reviews/:id/resolve", use: resolveReview)
        routes.post("courses/:id/follow-up-links", use: makeLink)
        routes.post("courses/:id/follow-up-links/:linkId/revoke", use: revokeLink)
        routes.get("f/:token", use: patientPage)
        routes.post("f/:token", use: patientAnswer)
        return routes
    }

    private func answerForm(_ token: String) -> FilledForm {
        FilledForm(spec: .patientAnswer, action: Paths.patientLink(token), csrf: "", idempotencyKey: "", submitKey: "send")
    }

    private func patientPage(
        _ status: HTTPResponse.Status, _ language: Language, clinic: String?, _ page: Pages.PatientPage, _ request: Request
    ) -> Response {
        // A page that fails to render is a bug; the template set is checked at start-up.
        edge.html(status, (try? edge.pages.patientFollowUp(language, clinic: clinic, page: page)) ?? "", request)
    }

    @Sendable func dueList(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readIdentity)
        let due = try await repositories.followUps.due(
            siteId: try request.uuidQuery("siteId"), scope: principal.siteScope, today: edge.config.today(now: edge.now()))
        let messages = try await repositories.outbox.messages(of: due.map { ($0.courseId, $0.followUp.dueOn) })
        return JSONResponse.make(
            status: .ok,
            [
                "items": due.map { item in
                    DueFollowUpJSON(
                        courseId: item.courseId, siteId: item.siteId, patient: item.patient, followUp: item.followUp,
                        messages: messages[item.courseId] ?? [])
                }
            ])
    }

    @Sendable func followUpsPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request) { principal, language in
            let rows = try await DueRows.read(repositories, edge, principal)
            let reviews = try await repositories.followUps.openReviews(scope: principal.siteScope)
            return try edge.pages.followUps(
                language, viewer: edge.viewer(principal, request), rows: rows,
                reviews: reviews.map { review in
                    let patient = review.patient
                    return (review.id, review.courseId, "\(patient.familyName) \(patient.givenName) (\(patient.mrn))", review.answeredOn)
                }, csrf: CSRF.token(for: request), writable: principal.may(.writeClinical))
        }
    }

    @Sendable func resolveReview(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, _ in
            guard principal.may(.writeClinical) else { throw PageRefusal.readOnly }
            try await CSRF.check(request)
            try await repositories.followUps.resolveReview(
                try context.pathId("review"), scope: principal.siteScope,
                by: context.actor(principal, request))
            return .redirect(Paths.followUps)
        }
    }

    @Sendable func makeLink(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, _ in
            guard principal.may(.writeClinical) else { throw PageRefusal.readOnly }
            try await CSRF.check(request)
            let id = try context.pathId("course")
            let link = try await repositories.followUps.createLink(
                courseId: id, scope: principal.siteScope, by: context.actor(principal, request))
            // The token is not stored: the course page shows it once, from a short-lived cookie.
            return .redirect(Paths.course(id) + "#issued", cookies: [edge.carrying(link.token, in: .patientLink(course: id), for: request)])
        }
    }

    @Sendable func revokeLink(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, _ in
            guard principal.may(.writeClinical) else { throw PageRefusal.readOnly }
            try await CSRF.check(request)
            let id = try context.pathId("course")
            try await repositories.followUps.revokeLink(
                try context.pathId("link", "linkId"), courseId: id, scope: principal.siteScope,
                by: context.actor(principal, request))
            return .redirect(Paths.course(id) + "#follow-up")
        }
    }

    /// The link's page: the questions while a follow-up is open; after the patient's POST
    /// (`AnswerCarried`), once, the thanks or the answer as typed with its problems (422).
    @Sendable func patientPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let language = edge.language(of: request)
        let token = context.parameters.get("token") ?? ""
        guard let link = try await repositories.followUps.link(token: token, today: edge.config.today(now: edge.now())) else {
            return patientPage(.notFound, language, clinic: nil, .invalidLink, request)
        }
        let cookie = ShownOnceCookie.patientAnswer(token)
        let carried = cookie.value(in: request).flatMap(AnswerCarried.init)
        var response: Response
        switch (carried, link.open) {
        case (.thanks, _) where link.answeredRecently:
            response = patientPage(.ok, language, clinic: link.clinic, .thanks, request)
        case (.typed(let values), let open?):
            var form = answerForm(token)
            form.values = values
            form.problems = AnswerCarried.problems(values)
            response = patientPage(
                form.problems.isEmpty ? .ok : .unprocessableContent, language, clinic: link.clinic, .ask(form, label: open.label), request)
        case (_, let open?):
            response = patientPage(.ok, language, clinic: link.clinic, .ask(answerForm(token), label: open.label), request)
        case (_, nil):
            response = patientPage(.ok, language, clinic: link.clinic, link.answeredRecently ? .alreadyReceived : .nothingDue, request)
        }
        return carried == nil ? response : edge.setting([cookie.cleared], on: response)
    }

    /// What a patient's POST carries to the link's page it redirects to (post/redirect/get), so a
    /// reload or Back never sends the answer again: the thanks once it is kept, or the answer as
    /// typed when a rule was broken (`typed.nrs.pgic.painCameBack`), whose problems the page finds again.
    enum AnswerCarried: Equatable {
        case thanks
        case typed([String: String])

        static let fields = ["nrs", "pgic", "painCameBack"]

        init?(_ carried: String) {
            if carried == "thanks" {
                self = .thanks
                return
            }
            let parts = carried.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == Self.fields.count + 1, parts[0] == "typed" else { return nil }
            self = .typed(Dictionary(uniqueKeysWithValues: zip(Self.fields, parts.dropFirst())))
        }

        /// What was typed, each value kept when it is a choice's shape (else blank, and named again).
        static func carrying(_ values: [String: String]) -> String {
            "typed." + fields.map { values[$0].flatMap { $0.wholeMatch(of: #/[a-z0-9_-]{1,16}/#) == nil ? nil : $0 } ?? "" }.joined(separator: ".")
        }

        static func problems(_ values: [String: String]) -> [FieldProblem] {
            do {
                _ = try PatientAnswerInput(nrs: values["nrs"], pgic: values["pgic"], painCameBack: values["painCameBack"]).validated()
                return []
            } catch {
                return error.problems
            }
        }
    }

    private func answered(_ token: String, _ carried: AnswerCarried?, _ request: Request) -> Response {
        let value = carried.map { carried in
            switch carried {
            case .thanks: "thanks"
            case .typed(let values): AnswerCarried.carrying(values)
            }
        }
        return edge.redirect(Paths.patientLink(token), cookies: value.map { [edge.carrying($0, in: .patientAnswer(token), for: request)] } ?? [])
    }

    @Sendable func patientAnswer(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let language = edge.language(of: request)
        let token = context.parameters.get("token") ?? ""
        let address = request.clientAddress(context, trustProxy: edge.config.server.trustProxy)
        let posted = try await PostedForm.read(request)
        let today = edge.config.today(now: edge.now()), limits = edge.config.followUp
        // Guesses at tokens are counted apart from answers, so someone guessing from behind
        // a carrier's shared address does not use up the hour of a real patient there.
        guard let link = try await repositories.followUps.link(token: token, today: today) else {
            guard await answerLimiter.allow("unknown:" + address, limit: limits.answersPerAddressPerHour, now: edge.now()) else {
                return patientPage(.tooManyRequests, language, clinic: nil, .tooMany, request)
            }
            return patientPage(.notFound, language, clinic: nil, .invalidLink, request)
        }
        guard await answerLimiter.allow("link:" + Secret.hash(token), limit: limits.answersPerLinkPerHour, now: edge.now()),
            await answerLimiter.allow("address:" + address, limit: limits.answersPerAddressPerHour, now: edge.now())
        else {
            return patientPage(.tooManyRequests, language, clinic: nil, .tooMany, request)
        }
        do {
            let answer = try PatientAnswerInput(
                nrs: posted.values["nrs"], pgic: posted.values["pgic"], painCameBack: posted.values["painCameBack"]
            ).validated()
            switch try await repositories.followUps.answer(token: token, answer, today: today) {
            case .recorded:
                edge.metrics.write(kind: "follow-up-answers", replayed: false)
                return answered(token, .thanks, request)
            // The link's page says which: already received, or nothing due now.
            case .alreadyReceived, .nothingDue: return answered(token, nil, request)
            case .invalidLink: return patientPage(.notFound, language, clinic: nil, .invalidLink, request)
            }
        } catch is ValidationFailure {
            return answered(token, .typed(posted.values), request)
        }
    }

}

/// A due follow-up as the JSON route gives it.
struct DueFollowUpJSON: Encodable {
    let courseId: UUID
    let siteId: UUID
    let patient: PatientRecord
    let followUp: FollowUpSchedule.FollowUp
    let messages: [OutboxMessage]
}
