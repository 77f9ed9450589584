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

    /// `/f/{token}/stop`: the patient's opt-out, asked then done.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("f/:token/stop", use: optOutPage)
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
        let base =
            edge.config.server.publicBaseUrl.hasSuffix("/") ? String(edge.config.server.publicBaseUrl.dropLast()) : edge.config.server.publicBaseUrl
        return JSONResponse.make(
            status: .created,
            LinkJSON(
                id: link.id, courseId: id, url: base + Paths.patientLink(link.token), optOutUrl: base + Paths.patientLink(link.token) + "/stop",
                expiresAt: link.expires))
    }

    // MARK: The patient's opt-out

    @Sendable func optOutPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let page = try edge.pages.patientFollowUp(edge.language(of: request), clinic: nil, page: .optOut(action: Paths.patientLink(token) + "/stop"))
        return edge.html(.ok, page, request)
    }

    @Sendable func optOut(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let language = edge.language(of: request)
        let token = context.parameters.get("token") ?? ""
        let address = request.clientAddress(context, trustProxy: edge.config.server.trustProxy)
        guard await guesses.allow("stop:" + address, limit: edge.config.followUp.answersPerAddressPerHour, now: edge.now()) else {
            return edge.html(.tooManyRequests, try edge.pages.patientFollowUp(language, clinic: nil, page: .tooMany), request)
        }
        guard let clinic = try await repositories.outbox.optOut(token: token) else {
            return edge.html(.notFound, try edge.pages.patientFollowUp(language, clinic: nil, page: .invalidLink), request)
        }
        return edge.html(.ok, try edge.pages.patientFollowUp(language, clinic: clinic, page: .optedOut), request)
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
