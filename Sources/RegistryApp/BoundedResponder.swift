import Foundation
import Hummingbird
import NIOCore
import RegistryCore
import RegistryStore
import RegistryWeb
import Synchronization

/// Answers every request within its bound, whatever happens below: past it, 503 with
/// Retry-After.
///
/// When PostgreSQL restarts, a query on a connection that died can wait forever without
/// noticing cancellation, so the router's work is raced with `outrace`, which leaves it behind
/// when the bound passes: the client gets its answer and graceful shutdown never waits on it.
/// A write left behind either commits or rolls back as one transaction; retried with the same
/// Idempotency-Key it is replayed or made, never made twice.
struct BoundedResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == RegistryRequestContext {
    let inner: Inner
    let quick: Duration
    /// For reports, the dashboard, exports and the audit chain check, which read everything.
    let analysis: Duration
    /// The largest body any route reads: a larger one is refused by the route, after this reads it.
    let bodyLimit: Int
    let onAbandon: @Sendable () -> Void
    let onBodyTimeout: @Sendable () -> Void

    let config: RegistryConfig

    init(_ inner: Inner, config: RegistryConfig, onAbandon: @escaping @Sendable () -> Void, onBodyTimeout: @escaping @Sendable () -> Void) {
        let server = config.server
        self.inner = inner
        self.config = config
        quick = .milliseconds(Int(server.requestTimeoutSeconds * 1000))
        analysis = .milliseconds(Int(server.analysisTimeoutSeconds * 1000))
        bodyLimit = max(server.maxBodyBytes, 65_536) + 1
        self.onAbandon = onAbandon
        self.onBodyTimeout = onBodyTimeout
    }

    func bound(for request: Request) -> Duration {
        let path = request.uri.path
        let analyses = ["/reports/", "/api/v1/reports/", Paths.exports, "/api/v1/exports", "/api/v1/audit/verify"]
        if analyses.contains(where: path.hasPrefix) || (path == Paths.audit && request.query("verify") != nil) { return analysis }
        // A throttled sign-in holds its answer on purpose.
        return path == Paths.login ? quick + .seconds(AccountRepository.longestSlowDownSeconds) : quick
    }

    /// Every answer leaves here, so here it gets the headers every answer carries. The body is
    /// read first, inside the bound: a client that announces more than it sends
    /// is told so (408) rather than sent looking at the database.
    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        let limit = bound(for: request)
        let arrived = BodyArrival()
        var answer = try await outrace(
            limit,
            work: { [inner, bodyLimit] in
                var request = request
                if request.method != .get, request.method != .head {
                    do {
                        request.body = RequestBody(buffer: try await request.body.collect(upTo: bodyLimit))
                    } catch is NIOTooManyBytesError {
                        return JSONResponse.problem(
                            .contentTooLarge, APIProblem(error: "body_too_large", message: "the request body is larger than \(bodyLimit - 1) bytes"))
                    }
                }
                arrived.done.store(true, ordering: .releasing)
                return try await inner.respond(to: request, context: context)
            },
            fallback: {
                guard arrived.done.load(ordering: .acquiring) else {
                    onBodyTimeout()
                    return Self.bodyTimedOut(request, after: limit)
                }
                onAbandon()
                return Self.unavailable(request, after: limit)
            })
        SecurityHeaders.apply(to: &answer, request: request, https: SecurityHeaders.overHTTPS(request, server: config.server, auth: config.auth))
        return answer
    }

    static func bodyTimedOut(_ request: Request, after limit: Duration) -> Response {
        var response = JSONResponse.problem(
            .requestTimeout,
            APIProblem(
                error: "body_timeout", message: "the request body did not arrive within \(limit.components.seconds) s; nothing was written"))
        response.headers[.connection] = "close"
        return response
    }

    /// The 503 of a request that ran out of time: a problem for the API, a short page for people.
    static func unavailable(_ request: Request, after limit: Duration) -> Response {
        let seconds = limit.components.seconds
        if request.uri.path.hasPrefix("/api/") {
            return JSONResponse.problem(
                .serviceUnavailable,
                APIProblem(
                    error: "database_unavailable",
                    message: "the registry could not answer within \(seconds) s (its database may be restarting). "
                        + "Try again shortly; with the same Idempotency-Key a write is never made twice"))
        }
        let page = """
            <!doctype html><html lang="zh-Hant"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>503</title><body style="font-family:sans-serif;max-width:40em;margin:2em auto">
            <h1>請稍候再試 · Please try again</h1>
            <p>登錄系統暫時無法回應（資料庫可能正在重新啟動），已輸入的內容可返回上一頁再送出一次，不會重複記錄。</p>
            <p>The registry could not answer within \(seconds) s (its database may be restarting).
            Go back and send the form again: nothing is recorded twice.</p>
            """
        return Response(
            status: .serviceUnavailable, headers: [.contentType: "text/html; charset=utf-8", .retryAfter: JSONResponse.retryAfterSeconds],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}

/// Whether a request's body has been read, for the answer of a request that ran out of time.
private final class BodyArrival: Sendable {
    let done = Atomic<Bool>(false)
}
