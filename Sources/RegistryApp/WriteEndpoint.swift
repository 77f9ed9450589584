import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore

/// A write request, read and decoded before anything touches the database.
struct WriteRequest<Input: Decodable> {
    let input: Input
    let idempotency: Idempotency?
}

extension RegistryServices {
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    /// Reads a POST: the body (413 when too large), its JSON (400/422), and the Idempotency-Key
    /// scoped to the caller, with a hash of the request so the same key with another body is refused.
    func readWrite<Input: Decodable>(_ request: Request, _ principal: Principal, as input: Input.Type) async throws -> WriteRequest<Input> {
        let key = try idempotencyKey(request)
        let data = try await request.bodyBytes(limit: config.server.maxBodyBytes)
        let input = try decodeInput(Input.self, from: data)
        // The key is scoped to its user: the same key from two users is two requests.
        let hash = Hashing.sha256Hex(Data("\(principal.userId) \(request.method) \(request.uri.path)\n".utf8) + data)
        return WriteRequest(input: input, idempotency: key.map { Idempotency(key: "\(principal.userId):\($0)", requestHash: hash) })
    }

    /// 201 with the created record's JSON (the first answer again, for a retried key), counted
    /// by kind as a write or a replay.
    func created(_ written: Written, kind: String) -> Response {
        metrics.write(kind: kind, replayed: written.replayed)
        return JSONResponse.make(status: .created, data: written.body)
    }

    private func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[Self.idempotencyHeader] else { return nil }
        guard (1...200).contains(key.count), key.allSatisfy({ ("!"..."~").contains($0) }) else {
            throw ValidationFailure(field: "Idempotency-Key", rule: "format", message: "must be 1 to 200 visible ASCII characters, such as a UUID")
        }
        return key
    }
}
