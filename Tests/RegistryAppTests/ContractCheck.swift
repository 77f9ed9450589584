import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryTestSupport
import Synchronization
import Testing

/// Every response the API tests receive is checked against `openapi.yaml` (status documented,
/// JSON body valid against its schema), so a field renamed in code or in the document alone
/// fails a test. The check is `contract_check.py` (openapi-schema-validator from PyPI), run once
/// per test over everything that test exchanged.
enum ContractCheck {
    struct Exchange: Codable {
        let method: String
        let path: String
        let status: Int
        let contentType: String
        let body: String
    }

    static let specification = TestDatabase.checkout.appending(path: "Sources/RegistryAPI/openapi.yaml")
    static let script = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/contract_check.py")
    static let available = ExternalTools.pythonHas("openapi_schema_validator", "yaml")

    /// Runs the checker over `exchanges`; each failure becomes an issue of the current test.
    static func verify(_ exchanges: [Exchange]) async throws {
        guard available else {
            #expect(!ExternalTools.required, "\(ExternalTools.python) with openapi-schema-validator is needed for the contract check")
            return
        }
        guard !exchanges.isEmpty else { return }
        let file = FileManager.default.temporaryDirectory.appending(path: "exchanges-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let encoder = JSONEncoder()
        try Data(exchanges.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n").utf8).write(to: file)
        let outcome = try await Subprocess.run(ExternalTools.python, [script.path, specification.path, file.path])
        #expect(outcome.status == 0, "contract check:\n\(outcome.output)\(outcome.errors)")
    }
}

/// Every exchange of one test, shared by the client's copies.
final class ExchangeLog: Sendable {
    let exchanges = Mutex<[ContractCheck.Exchange]>([])
}

/// Passes requests to the application's test client and keeps every exchange for the check.
struct RecordingClient: TestClientProtocol {
    let inner: any TestClientProtocol
    let log = ExchangeLog()

    var port: Int? { inner.port }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        let response = try await inner.executeRequest(uri: uri, method: method, headers: headers, body: body)
        let path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        let exchange = ContractCheck.Exchange(
            method: method.rawValue, path: path, status: response.status.code,
            contentType: response.headers[.contentType] ?? "", body: String(buffer: response.body))
        log.exchanges.withLock { $0.append(exchange) }
        return response
    }
}
