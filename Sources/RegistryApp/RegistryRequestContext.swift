import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryCore
import RegistryStore

typealias Routes = RouteCollection<RegistryRequestContext>

/// The request context of every route: Hummingbird's core storage plus who is asking.
public struct RegistryRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on every /api/v1 route; nil only on the public routes.
    public var principal: Principal?
    /// The peer, for throttling sign-in attempts by address.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The caller, who must hold `capability`; otherwise 403 naming what is missing.
    func require(_ capability: Capability) throws -> Principal {
        guard let principal else { throw AccessProblem.unauthenticated }
        guard principal.may(capability) else { throw AccessProblem.forbidden(role: principal.role, capability: capability) }
        return principal
    }

    /// Who does what, for the audit trail: the principal, by the route that matched, as the
    /// router names it (`POST /api/v1/courses/{id}/pain-scores`).
    func actor(_ principal: Principal, _ request: Request) -> Actor {
        principal.actor("\(request.method) \(endpointPath ?? request.uri.path)")
    }

    /// The `:id` path segment. A malformed id cannot name a record, so it is a 404 like an unknown one.
    func pathId(_ what: String, _ name: String = "id") throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else { throw StoreError.notFound(what) }
        return id
    }
}

enum AccessProblem: Error {
    case unauthenticated
    case csrfTokenMissing
    case forbidden(role: Role, capability: Capability)
}

/// Resolves the caller from `Authorization: Bearer <token>` or the session cookie, and refuses
/// the request (401) when neither names an active user. A bad token is never treated as
/// anonymous.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext
    let accounts: AccountRepository
    let idleMinutes: Int
    let maxHours: Int
    static let safeMethods: Set<HTTPRequest.Method> = [.get, .head, .options]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // Every API request starts here; BoundedResponder turns an unreachable database into a
        // prompt 503 rather than a request that waits forever.
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            context.principal = try await accounts.principal(forToken: String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } else if let session = request.cookies[SessionCookie.name]?.value {
            context.principal = try await accounts.principal(forSession: session, idleMinutes: idleMinutes, maxHours: maxHours)
            // A browser sends the cookie with any form another site makes it post (another port
            // or subdomain is the same site to SameSite), but no other site can send this header
            // with the session's token: a cookie alone never writes.
            if context.principal != nil, !Self.safeMethods.contains(request.method),
                !CSRF.matches(request.headers[CSRF.header], session: session)
            {
                throw AccessProblem.csrfTokenMissing
            }
        }
        guard context.principal != nil else { throw AccessProblem.unauthenticated }
        // Every API body is JSON; refusing any other type also stops the bodies a plain HTML form can send.
        if !Self.safeMethods.contains(request.method), let type = request.headers[.contentType],
            type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() != "application/json"
        {
            throw BadRequestBody(
                status: .unsupportedMediaType, code: "unsupported_media_type", message: "send the body as Content-Type: application/json")
        }
        return try await next(request, context)
    }
}

enum SessionCookie {
    static let name = "scn_session"
}
