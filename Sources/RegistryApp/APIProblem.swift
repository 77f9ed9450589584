import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RegistryCore
import RegistryStore

/// The JSON body of every error response: a machine code, a sentence, and for invalid input
/// the list of fields with the rule each broke.
struct APIProblem: Codable, Sendable {
    let error: String
    let message: String
    var problems: [FieldProblem]?
}

/// Turns every error into a JSON response a person can act on. Anything not recognised is a
/// bug: it is logged with detail and answered with a bare 500.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// The page a browser gets instead (nil: the request is not a browser's page request).
    var browserPage: @Sendable (HTTPResponse.Status, Request) async -> Response? = { _, _ in nil }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, problem) = Self.problem(for: error)
            if case StoreError.constraint(let name, let message)? = error as? StoreError {
                logger.warning(
                    "refused by a database constraint",
                    metadata: [
                        "route": "\(request.method) \(request.uri.path)", "constraint": "\(name)",
                        "message": "\(message)",
                    ])
            }
            if status == .internalServerError {
                logger.error(
                    "unhandled error", metadata: ["route": "\(request.method) \(request.uri.path)", "error": "\(String(reflecting: error))"])
            }
            if let page = await browserPage(status, request) { return page }
            return JSONResponse.problem(status, problem)
        }
    }

    static func problem(for error: any Error) -> (HTTPResponse.Status, APIProblem) {
        switch error {
        case let failure as ValidationFailure:
            return (
                .unprocessableContent,
                APIProblem(
                    error: "validation_failed", message: "the request broke \(failure.problems.count) rule(s); nothing was written",
                    problems: failure.problems)
            )
        case let storeError as StoreError:
            switch storeError {
            case .notFound(let what):
                return (.notFound, APIProblem(error: "not_found", message: "\(what) not found"))
            case .conflict(let field, let message):
                return (
                    .conflict,
                    APIProblem(
                        error: "conflict", message: message,
                        problems: [FieldProblem(field: field, rule: "unique", message: message)])
                )
            case .constraint:
                // The constraint's name and the database's words are logged, never shown: they
                // describe the schema, not what the caller can fix.
                return (
                    .unprocessableContent,
                    APIProblem(
                        error: "validation_failed", message: "the database refused the record; nothing was written",
                        problems: [FieldProblem(field: "body", rule: "constraint", message: "breaks a rule the registry keeps")])
                )
            case .idempotencyKeyReused:
                return (
                    .unprocessableContent,
                    APIProblem(
                        error: "idempotency_key_reused", message: storeError.description,
                        problems: [FieldProblem(field: "Idempotency-Key", rule: "reused", message: storeError.description)])
                )
            case .unavailable:
                return (
                    .serviceUnavailable,
                    APIProblem(
                        error: "database_unavailable",
                        message: "the registry database is unreachable or overloaded; nothing was written. Try again shortly")
                )
            case .configuration, .schemaOutdated:
                return (.internalServerError, APIProblem(error: "internal", message: "internal error"))
            }
        case AccessProblem.unauthenticated:
            return (
                .unauthorized,
                APIProblem(
                    error: "unauthenticated",
                    message: "sign in at /login or send Authorization: Bearer <token> (tokens come from `registry user token`)")
            )
        case AccessProblem.csrfTokenMissing:
            return (
                .forbidden,
                APIProblem(
                    error: "csrf_token_missing",
                    message: "a write signed in by the session cookie must carry the page's CSRF token in X-CSRF-Token; nothing was written")
            )
        case AccessProblem.forbidden(let role, let capability):
            return (.forbidden, APIProblem(error: "forbidden", message: "the \(role.rawValue) role may not \(capability.phrase)"))
        case let stale as StaleVersion:
            return (
                .preconditionFailed,
                APIProblem(
                    error: "stale_version",
                    message: "the record is at version \(stale.current); reload it and apply your change again. Nothing was written")
            )
        case let bad as BadRequestBody:
            return (bad.status, APIProblem(error: bad.code, message: bad.message, problems: bad.problems))
        case let http as HTTPError:
            return (
                http.status,
                APIProblem(
                    error: http.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                    message: http.body ?? http.status.reasonPhrase)
            )
        default:
            return (.internalServerError, APIProblem(error: "internal", message: "internal error; it has been logged"))
        }
    }
}

/// A body that could not be read as the expected JSON.
struct BadRequestBody: Error {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var problems: [FieldProblem]?
}

enum JSONResponse {
    static func body(_ value: some Encodable) throws -> Data { try RecordJSON.encode(value) }

    static func make(status: HTTPResponse.Status, data: Data, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func make(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        // Encoding our own types cannot fail; fall back to an empty object rather than crash.
        make(status: status, data: (try? body(value)) ?? Data("{}".utf8))
    }

    /// A problem as JSON; a 503 also says when to try again.
    static func problem(_ status: HTTPResponse.Status, _ problem: APIProblem) -> Response {
        var response = make(status: status, problem)
        if status == .serviceUnavailable { response.headers[.retryAfter] = retryAfterSeconds }
        return response
    }

    /// Seconds a client should wait after a 503 (the database restarting, a request out of time).
    static let retryAfterSeconds = "2"
}

extension Capability {
    /// What the capability allows, for 403 messages.
    var phrase: String {
        switch self {
        case .readClinical: "read clinical records"
        case .writeClinical: "write clinical records"
        case .readIdentity: "see patient identities"
        case .runReports: "run reports"
        case .export: "export data"
        case .readAudit: "read the audit trail"
        case .manageUsers: "manage users"
        }
    }
}
