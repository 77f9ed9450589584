import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import RegistryStore
import RegistryTestSupport
import Testing

/// A token's use is recorded at most once a minute, so a busy client does not write a row per
/// request; a token revoked elsewhere (another server, the CLI) is refused once this server's
/// memory of it lapses (`auth.credentialCacheSeconds`), one revoked here at once (PageTests).
extension AccessTests {
    @Test func aTokensLastUseIsRecordedAtMostOnceAMinute() async throws {
        try await APIHarness.run { h, client in
            func lastUsed() async throws -> Date? {
                try await h.database.withConnection { connection in
                    try await connection.query(
                        "SELECT max(last_used_at) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'dr.test'",
                        logger: TestDatabase.logger
                    ).decode(Date?.self).first { _ in true } ?? nil
                }
            }
            #expect(try await client.get("/api/v1/courses", token: h.clinician).status == .ok)
            let first = try #require(try await lastUsed())
            #expect(try await client.get("/api/v1/courses", token: h.clinician).status == .ok)
            #expect(try await lastUsed() == first)
            try await h.database.withConnection {
                try await $0.query("UPDATE api_tokens SET last_used_at = now() - interval '2 minutes'", logger: TestDatabase.logger)
            }
            let aged = try await lastUsed()
            try await APIHarness.outlastCredentialCache()
            #expect(try await client.get("/api/v1/courses", token: h.clinician).status == .ok)
            #expect(try await lastUsed()! > aged!)
            try await h.database.withConnection { try await $0.query("UPDATE api_tokens SET revoked_at = now()", logger: TestDatabase.logger) }
            try await APIHarness.outlastCredentialCache()
            #expect(try await client.get("/api/v1/courses", token: h.clinician).status == .unauthorized)
        }
    }
}
