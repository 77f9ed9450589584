import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// Every answer is kept out of caches and type sniffing, and behind HTTPS says to stay there.
@Suite struct SecurityHeadersTests {
    static let nosniff = HTTPField.Name("X-Content-Type-Options")!, hsts = HTTPField.Name("Strict-Transport-Security")!

    @Test func answersThatCarryIdentitiesOrExportsAreNeverCachedNorSniffed() async throws {
        try await APIHarness.run { h, client async throws in
            for (path, token) in [
                ("/api/v1/patients/\(h.fixture.patientId)", h.clinician), ("/api/v1/follow-ups/due", h.clinician),
                ("/api/v1/exports/courses.csv", h.tokens["manager"]!), ("/api/v1/courses/\(UUID())", h.clinician),
            ] {
                let reply = try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(reply.headers[.cacheControl] == "no-store", "\(path)")
                #expect(reply.headers[Self.nosniff] == "nosniff", "\(path)")
                #expect(reply.headers[Self.hsts] == nil, "\(path): plain HTTP without a trusted proxy")
            }
        }
    }

    @Test func behindATrustedHTTPSProxyAnswersCarryHSTS() async throws {
        try await APIHarness.run(configure: { $0.server.trustProxy = true }) { h, client async throws in
            let https = try await client.execute(
                uri: "/api/v1/courses", method: .get,
                headers: [.authorization: "Bearer \(h.clinician)", SecurityHeaders.proto: "https"])
            #expect(https.headers[Self.hsts] == "max-age=31536000")
            let login = try await client.execute(uri: "/login", method: .get, headers: [SecurityHeaders.proto: "https"])
            #expect(login.headers[Self.hsts] == "max-age=31536000")
        }
    }
}

private enum SecurityHeaders {
    static let proto = HTTPField.Name("X-Forwarded-Proto")!
}
