import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RegistryApp
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// A fresh database with the fixture, the application built on it, and helpers to talk JSON.
struct APIHarness {
    let database: RegistryDatabase
    let fixture: Fixture
    /// A bearer token per fixture user: "clinician", "manager", "other", "researcher", "admin".
    let tokens: [String: String]
    var clinician: String { tokens["clinician"]! }
    /// Tests run "today" = 2026-06-15 so dates in them never drift into the future.
    static let now = Date(timeIntervalSince1970: 1_781_524_800)

    static func run(
        _ setup: TestingSetup = .router, configure: @Sendable (inout RegistryConfig) -> Void = { _ in },
        appDatabaseLogger: Logger = TestDatabase.logger, _ body: @escaping @Sendable (APIHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            var config = try TestDatabase.config()
            config.server.port = 0
            // The request bound is for faults (LoadAndFaultTests); a test machine running every
            // suite at once can be slow without anything being wrong.
            config.server.requestTimeoutSeconds = 120
            configure(&config)
            // The application runs its own pool as a service; the harness keeps its own for checks.
            let appDatabase = RegistryDatabase(url: database.url, poolSize: 4, logger: appDatabaseLogger)
            let app = try buildApplication(config: config, database: appDatabase, logger: TestDatabase.logger, now: { now })
            var tokens: [String: String] = [:]
            let registry = try Repositories.testing(database)
            for (name, username) in Fixture.usernames {
                tokens[name] = try await AccountRepository(database: database).issueToken(
                    username: username, label: "test", days: 1, actor: Fixture.actor
                ).token
            }
            let harness = APIHarness(database: database, fixture: fixture, tokens: tokens)
            let exchanges = try await app.test(setup) { client in
                let recording = RecordingClient(inner: client)
                try await body(harness, recording)
                return recording.log.exchanges.withLock { $0 }
            }
            try await ContractCheck.verify(exchanges)
        }
    }

    /// Waits until the application has forgotten the credentials it saw, as a change made
    /// elsewhere (the CLI, another server) must before this server notices it.
    static func outlastCredentialCache() async throws {
        try await Task.sleep(for: .milliseconds(Int(try TestDatabase.config().auth.credentialCacheSeconds * 1000) + 100))
    }

    func rowCounts() async throws -> [String: Int] {
        try await database.rowCounts()
    }
}

struct Reply: Sendable {
    let status: HTTPResponse.Status
    let body: Data
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    /// `field:rule` of each problem listed in a 4xx body.
    var problems: [String] {
        ((json["problems"] as? [[String: Any]]) ?? []).map { "\($0["field"] ?? ""):\($0["rule"] ?? "")" }
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension TestClientProtocol {
    func post(_ path: String, _ json: String, key: String? = nil, token: String?) async throws -> Reply {
        try await send(.post, path, json, token: token, extra: key.map { [HTTPField.Name("Idempotency-Key")!: $0] } ?? [:])
    }

    func get(_ path: String, token: String?) async throws -> Reply {
        try await send(.get, path, nil, token: token)
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, _ json: String?, token: String?, extra: [HTTPField.Name: String] = [:]
    ) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        for (name, value) in extra { headers[name] = value }
        return try await execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
            Reply(status: $0.status, body: Data(buffer: $0.body))
        }
    }
}
