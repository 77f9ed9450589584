import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryApp
import RegistryStore
import RegistryTestSupport
import Testing

/// A database that cannot be reached is an operational condition, not a bug: 503, never 500.
@Suite struct UnavailableDatabaseTests {
    @Test(.timeLimit(.minutes(1)))
    func anUnreachableDatabaseIs503() async throws {
        var config = try TestDatabase.config()
        config.server.port = 0
        // Port 1 on loopback: nothing listens, so every connection is refused at once.
        let database = RegistryDatabase(
            url: DatabaseURL(host: "127.0.0.1", port: 1, username: "nobody", password: nil, database: "none"),
            poolSize: 1, logger: TestDatabase.logger)
        let app = try buildApplication(config: config, database: database, logger: TestDatabase.logger)
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .serviceUnavailable)
            let data = try await client.execute(uri: "/api/v1/courses", method: .get, headers: [.authorization: "Bearer scn_t_whatever"])
            #expect(data.status == .serviceUnavailable)
            #expect(String(buffer: data.body).contains("database_unavailable"))
        }
    }
}
