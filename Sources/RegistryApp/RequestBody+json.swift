import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore

extension Request {
    /// The body's bytes, refusing bodies over `limit` with 413 before reading further.
    func bodyBytes(limit: Int) async throws -> Data {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            throw BadRequestBody(status: .contentTooLarge, code: "body_too_large", message: "the request body is larger than \(limit) bytes")
        }
        return Data(buffer: buffer)
    }
}

/// Decodes a request's JSON into an input type whose fields are all optional, so that a missing
/// field is reported by validation (with every other problem) rather than by the decoder.
/// What the decoder still rejects — broken JSON, a string where a number belongs — becomes 400
/// or a 422 naming the field.
func decodeInput<Input: Decodable>(_ type: Input.Type, from data: Data) throws -> Input {
    guard !data.isEmpty else {
        throw BadRequestBody(status: .badRequest, code: "malformed_json", message: "the request body is empty; send a JSON object")
    }
    do {
        return try JSONDecoder().decode(Input.self, from: data)
    } catch let DecodingError.typeMismatch(expected, context) where !context.codingPath.isEmpty {
        throw fieldProblem(context.codingPath, rule: "type", message: "must be \(describe(expected))")
    } catch let DecodingError.valueNotFound(expected, context) where !context.codingPath.isEmpty {
        throw fieldProblem(context.codingPath, rule: "type", message: "must be \(describe(expected)), not null")
    } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
        throw fieldProblem(context.codingPath, rule: "format", message: context.debugDescription)
    } catch DecodingError.typeMismatch {
        throw BadRequestBody(status: .badRequest, code: "malformed_json", message: "the request body must be a JSON object")
    } catch {
        throw BadRequestBody(status: .badRequest, code: "malformed_json", message: "the request body is not valid JSON")
    }
}

private func fieldProblem(_ path: [any CodingKey], rule: String, message: String) -> ValidationFailure {
    let field = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }
    return ValidationFailure(field: String(field), rule: rule, message: message)
}

private func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: "a whole number"
    case is Decimal.Type, is Double.Type: "a number"
    case is Bool.Type: "true or false"
    case is String.Type, is UUID.Type: "a string"
    default: "a \(type)".replacingOccurrences(of: "Array<", with: "list of ").replacingOccurrences(of: ">", with: "")
    }
}
