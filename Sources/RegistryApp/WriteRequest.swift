import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore

/// A write request, read and decoded before anything touches the database.
struct WriteRequest<Input: Decodable> {
    let input: Input
    let idempotency: Idempotency?

    static var idempotencyHeader: HTTPField.Name { HTTPField.Name("Idempotency-Key")! }

    /// Reads a POST: the body (413 when larger than `limit`), its JSON (400/422), and the
    /// Idempotency-Key scoped to the caller, with a hash of the request so the same key with
    /// another body is refused.
    static func read(_ request: Request, by principal: Principal, limit: Int) async throws -> WriteRequest<Input> {
        let key = try idempotencyKey(request)
        let data = try await request.bodyBytes(limit: limit)
        let input = try decodeInput(Input.self, from: data)
        // The key is scoped to its user: the same key from two users is two requests.
        let hash = Hashing.sha256Hex(Data("\(principal.userId) \(request.method) \(request.uri.path)\n".utf8) + data)
        return WriteRequest(input: input, idempotency: key.map { Idempotency(key: "\(principal.userId):\($0)", requestHash: hash) })
    }

    private static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[idempotencyHeader] else { return nil }
        guard (1...200).contains(key.count), key.allSatisfy({ ("!"..."~").contains($0) }) else {
            throw ValidationFailure(field: "Idempotency-Key", rule: "format", message: "must be 1 to 200 visible ASCII characters, such as a UUID")
        }
        return key
    }
}

extension Written {
    /// 201 with the created record's JSON (the first answer again, for a retried key), counted
    /// by kind as a write or a replay.
    func created(kind: String, metrics: RegistryMetrics) -> Response {
        metrics.write(kind: kind, replayed: replayed)
        return JSONResponse.make(status: .created, data: body)
    }
}
