import Foundation
import Hummingbird
import RegistryCore
import RegistryStore

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
    let onAbandon: @Sendable () -> Void

    init(_ inner: Inner, server: RegistryConfig.Server, onAbandon: @escaping @Sendable () -> Void) {
        self.inner = inner
        quick = .milliseconds(Int(server.requestTimeoutSeconds * 1000))
        analysis = .milliseconds(Int(server.analysisTimeoutSeconds * 1000))
        self.onAbandon = onAbandon
    }

    func bound(for request: Request) -> Duration {
        let path = request.uri.path
        let analyses = ["/reports/", "/api/v1/reports/", "/exports", "/api/v1/exports", "/api/v1/audit/verify"]
        if analyses.contains(where: path.hasPrefix) || (path == "/admin/audit" && request.query("verify") != nil) { return analysis }
        // A throttled sign-in holds its answer on purpose.
        return path == "/login" ? quick + .seconds(AccountRepository.longestSlowDownSeconds) : quick
    }

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        let limit = bound(for: request)
        return try await outrace(limit, work: { [inner] in try await inner.respond(to: request, context: context) }, fallback: {
            onAbandon()
            return Self.unavailable(request, after: limit)
        })
    }

    /// The 503 of a request that ran out of time: a problem for the API, a short page for people.
    static func unavailable(_ request: Request, after limit: Duration) -> Response {
        let seconds = limit.components.seconds
        if request.uri.path.hasPrefix("/api/") {
            return JSONResponse.problem(.serviceUnavailable, APIProblem(
                error: "database_unavailable",
                message: "the registry could not answer within \(seconds) s (its database may be restarting). "
                    + "Try again shortly; with the same Idempotency-Key a write is never made twice"))
        }
        let page = """
            <!doctype html><html lang="zh-Hant"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>503</title><body style="font-family:sans-serif;max-width:40em;margin:2em auto">
            <h1>請稍候再試 · Please try again</h1>
            <p>登錄系統暫時無法回應（資料庫可能正在重新啟動），已輸入的內容可返回上一頁再送出一次，不會重複記錄。</p>
            <p>The registry could not answer within \(seconds) s (its database may be restarting). Go back and send the form again: nothing is recorded twice.</p>
            """
        return Response(status: .serviceUnavailable, headers: [.contentType: "text/html; charset=utf-8", .retryAfter: JSONResponse.retryAfterSeconds],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
