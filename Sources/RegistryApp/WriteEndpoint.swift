import Foundation
import HTTPTypes
import Hummingbird
import PostgresNIO
import RegistryCore
import RegistryStore

extension RegistryServices {
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    /// The shape every POST shares: read and decode the body, then in one transaction (guarded
    /// by the Idempotency-Key when sent) validate against the database's state, write, audit, and
    /// answer 201 with the created record.
    func create<Input: Decodable, Output: Encodable>(
        _ request: Request, _ principal: Principal, route: String, as input: Input.Type,
        perform: @escaping (Input, Actor, PostgresConnection) async throws -> Output
    ) async throws -> Response {
        let key = try idempotencyKey(request)
        let data = try await request.bodyBytes(limit: config.server.maxBodyBytes)
        let input = try decodeInput(Input.self, from: data)
        let actor = principal.actor(route)
        // The key is scoped to its user: the same key from two users is two requests.
        let hash = Secret.hashData(Data("\(principal.userId) \(request.method) \(request.uri.path)\n".utf8) + data)
        let stored = try await registry.idempotentWrite(key: key.map { "\(principal.userId):\($0)" }, requestHash: hash) { connection in
            let output = try await perform(input, actor, connection)
            return StoredResponse(status: 201, body: try JSONResponse.body(output))
        }
        return JSONResponse.make(status: HTTPResponse.Status(code: stored.status), data: stored.body)
    }

    private func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[Self.idempotencyHeader] else { return nil }
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ValidationFailure(field: "Idempotency-Key", rule: "format", message: "must be 1 to 200 visible ASCII characters, such as a UUID")
        }
        return key
    }
}
