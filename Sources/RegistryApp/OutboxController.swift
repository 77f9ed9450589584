import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// Follow-up that sends itself: a patient's consent to be contacted, the messages a course was
/// sent, a link for clinics that send from their own system, and the opt-out a patient reaches
/// from any message without an account.
struct OutboxController {
    let edge: WebEdge
    let repositories: Repositories
    /// Opt-outs counted per address, so tokens cannot be guessed at speed.
    let guesses = RateLimiter()

    var apiRoutes: Routes {
        let api = Routes(context: RegistryRequestContext.self)
        api.get("patients/:id/contact", use: contact)
            .put("patients/:id/contact", use: setContact)
            .post("patients/:id/contact/opt-out", use: optOutByClinic)
            .get("courses/:id/messages", use: messages)
            .post("courses/:id/follow-up-links", use: makeLink)
        return api
    }

    /// The consent form and the clinic's stop button on the patient's page; `/f/{token}/stop`,
    /// the patient's own opt-out, asked then done.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("patients/:id/contact", use: contactPage)
            .post("patients/:id/contact", use: setContactFromPage)
            .post("patients/:id/contact/opt-out", use: optOutFromPage)
            .get("f/:token/stop", use: optOutPage)
            .post("f/:token/stop", use: optOut)
        return routes
    }

    // MARK: API

    @Sendable func contact(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readIdentity)
        let id = try context.pathId("patient")
        guard let contact = try await repositories.outbox.contact(patientId: id, scope: principal.siteScope) else {
            throw StoreError.notFound("patient \(id)")
        }
        return JSONResponse.make(status: .ok, ContactJSON(patientId: id, contact: contact))
    }

    @Sendable func setContact(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.writeClinical)
        let id = try context.pathId("patient")
        guard let patient = try await repositories.patients.patient(id, scope: principal.siteScope) else {
            throw StoreError.notFound("patient \(id)")
        }
        let input = try decodeInput(ContactInput.self, from: try await request.bodyBytes(limit: edge.config.server.maxBodyBytes))
        let contact = try input.validated(edge.validationContext(), phone: patient.patient.phone)
        try await repositories.outbox.setContact(contact, patientId: id, scope: principal.siteScope, by: context.actor(principal, request))
        return JSONResponse.make(status: .ok, ContactJSON(patientId: id, contact: contact))
    }

    @Sendable func optOutByClinic(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.writeClinical)
        let id = try context.pathId("patient")
        let stopped = try await repositories.outbox.optOut(patientId: id, scope: principal.siteScope, by: context.actor(principal, request))
        return JSONResponse.make(status: .ok, ["optedOut": true, "changed": stopped])
    }

    @Sendable func messages(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readClinical)
        let id = try context.pathId("course")
        guard let messages = try await repositories.outbox.messages(courseId: id, scope: principal.siteScope) else {
            throw StoreError.notFound("course \(id)")
        }
        return JSONResponse.make(status: .ok, ["items": messages])
    }

    /// A new patient link, for a clinic that sends it from its own system: the token this once.
    @Sendable func makeLink(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.writeClinical)
        let id = try context.pathId("course")
        let link = try await repositories.followUps.createLink(courseId: id, scope: principal.siteScope, by: context.actor(principal, request))
        let base = edge.config.server.publicOrigin
        return JSONResponse.make(
            status: .created,
            LinkJSON(
                id: link.id, courseId: id, url: base + Paths.patientLink(link.token), optOutUrl: base + Paths.patientLink(link.token) + "/stop",
                expiresAt: link.expires))
    }

    // MARK: The patient's page

    @Sendable func contactPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request) { principal, language in
            let (form, detail) = try await contactForm(try context.pathId("patient"), principal, language, request)
            var values: [String: String] = ["consentedOn": edge.config.today(now: edge.now()).description]
            if let contact = detail.contact {
                for (index, channel) in contact.channels.enumerated() { values["channels[\(index)]"] = channel.rawValue }
                values["lineUserId"] = contact.lineUserId
                values["consentedOn"] = contact.consentedOn.description
                values["consentHow"] = contact.consentHow.rawValue
            }
            return try await edge.show(form, principal, request, values: values)
        }
    }

    @Sendable func setContactFromPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, language in
            let id = try context.pathId("patient")
            let (form, detail) = try await contactForm(id, principal, language, request)
            return try await edge.submit(
                form, principal, request,
                validate: { try decodeInput(ContactInput.self, from: $0).validated(edge.validationContext(), phone: detail.patient.phone) }
            ) { contact, _ in
                try await repositories.outbox.setContact(contact, patientId: id, scope: principal.siteScope, by: context.actor(principal, request))
                return .redirect(Paths.patient(id) + "#contact")
            }
        }
    }

    @Sendable func optOutFromPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, _ in
            guard principal.may(.writeClinical) else { throw PageRefusal.readOnly }
            try await CSRF.check(request)
            let id = try context.pathId("patient")
            try await repositories.outbox.optOut(patientId: id, scope: principal.siteScope, by: context.actor(principal, request))
            return .redirect(Paths.patient(id) + "#contact")
        }
    }

    /// The consent form of a patient at the user's sites (else 404), beside the patient's name.
    private func contactForm(_ id: UUID, _ principal: Principal, _ language: Language, _ request: Request) async throws -> (PageForm, PatientDetail) {
        guard let detail = try await repositories.patients.patient(id, scope: principal.siteScope) else { throw StoreError.notFound("patient") }
        let patient = detail.patient
        let form = PageForm(spec: .contact, action: Paths.patient(id) + "/contact") { form in
            try edge.pages.formPage(
                language, viewer: edge.viewer(principal, request), form: form, back: Paths.patient(id),
                context: "\(patient.familyName) \(patient.givenName) (\(patient.mrn))" + (patient.phone.map { " · \($0)" } ?? ""))
        }
        return (form, detail)
    }

    // MARK: The patient's opt-out

    /// The question and its button, or, once the patient has stopped the messages (the POST
    /// redirects here: post/redirect/get), that they are stopped, naming the clinic. A patient
    /// who never consented has no opt-out to record, so the POST's cookie says it was asked.
    @Sendable func optOutPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? "", language = edge.language(of: request)
        let asked = ShownOnceCookie.optOut(token).value(in: request) != nil
        if let state = try await repositories.outbox.optOutState(token: token), state.optedOut || asked {
            return edge.html(.ok, try edge.pages.patientFollowUp(language, clinic: state.clinic, page: .optedOut), request)
        }
        let page = try edge.pages.patientFollowUp(language, clinic: nil, page: .optOut(action: Paths.patientLink(token) + "/stop"))
        return edge.html(.ok, page, request)
    }

    @Sendable func optOut(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let language = edge.language(of: request)
        let token = context.parameters.get("token") ?? ""
        let address = request.clientAddress(context, trustProxy: edge.config.server.trustProxy)
        guard await guesses.allow("stop:" + address, limit: edge.config.followUp.answersPerAddressPerHour, now: edge.now()) else {
            return edge.html(.tooManyRequests, try edge.pages.patientFollowUp(language, clinic: nil, page: .tooMany), request)
        }
        guard try await repositories.outbox.optOut(token: token) != nil else {
            return edge.html(.notFound, try edge.pages.patientFollowUp(language, clinic: nil, page: .invalidLink), request)
        }
        return edge.redirect(Paths.patientLink(token) + "/stop", cookies: [edge.carrying("stopped", in: .optOut(token), for: request)])
    }
}

/// A patient's consent as the API gives it.
struct ContactJSON: Encodable {
    let patientId: UUID
    let contact: FollowUpContact?
}

/// A link made through the API.
struct LinkJSON: Encodable {
    let id: UUID
    let courseId: UUID
    let url: String
    let optOutUrl: String
    let expiresAt: Date
}
