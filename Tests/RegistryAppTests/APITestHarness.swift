import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryApp
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// A fresh database with the fixture, the application built on it, and helpers to talk JSON.
struct APIHarness {
    let database: RegistryDatabase
    let fixture: Fixture
    /// Tests run "today" = 2026-06-15 so dates in them never drift into the future.
    static let now = Date(timeIntervalSince1970: 1_781_524_800)

    static func run(_ setup: TestingSetup = .router, _ body: @escaping @Sendable (APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            var config = try TestDatabase.config()
            config.server.port = 0
            // The application runs its own pool as a service; the harness keeps its own for checks.
            let appDatabase = RegistryDatabase(url: database.url, poolSize: 4, logger: TestDatabase.logger)
            let app = buildApplication(config: config, database: appDatabase, logger: TestDatabase.logger, now: { now })
            let harness = APIHarness(database: database, fixture: fixture)
            try await app.test(setup) { client in try await body(harness, client) }
        }
    }

    func rowCounts() async throws -> [String: Int] {
        try await database.read { try await Registry(database: database).rowCounts(on: $0) }
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
    func post(_ path: String, _ json: String, key: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: json)) {
            Reply(status: $0.status, body: Data(buffer: $0.body))
        }
    }

    func get(_ path: String) async throws -> Reply {
        try await execute(uri: path, method: .get) { Reply(status: $0.status, body: Data(buffer: $0.body)) }
    }
}
