import HTTPTypes
import Hummingbird
import RegistryCore

/// Headers every answer carries, whoever wrote it (BoundedResponder applies them to each answer
/// it gives, its own 503 and 408 included): nothing is cached (answers hold identities and
/// clinical data) unless a route says otherwise, nothing is sniffed into another type, and behind
/// HTTPS browsers are told to stay on it.
enum SecurityHeaders {
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// Whether the client reached the registry over HTTPS: always, when cookies are marked
    /// Secure; else as a trusted proxy says.
    static func overHTTPS(_ request: Request, server: RegistryConfig.Server, auth: RegistryConfig.Auth) -> Bool {
        auth.secureCookies || (server.trustProxy && request.headers[forwardedProto] == "https")
    }

    static func apply(to response: inout Response, request: Request, https: Bool) {
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if https { response.headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000" }
    }
}
