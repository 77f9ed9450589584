import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// The document the server serves is the one in the source tree, it says what every field is,
/// and every operation it lists answers only statuses it documents, with and without credentials
/// (each exchange goes through the contract check of the harness).
@Suite(.enabled(if: ContractCheck.available || ExternalTools.required))
struct OpenAPIDocumentTests {
    struct Operation: Decodable {
        let method: String
        let path: String
    }

    @Test func theServedDocumentIsTheSourceAndNoSchemaIsABareObject() async throws {
        #expect(ContractCheck.available, "the contract check needs Python with openapi-schema-validator")
        let source = try String(contentsOf: ContractCheck.specification, encoding: .utf8)
        try await APIHarness.run { _, client in
            let served = try await client.get("/openapi.yaml", token: nil)
            #expect(served.text == source)
        }
        let lint = try await Subprocess.run(ExternalTools.python, [ContractCheck.script.path, ContractCheck.specification.path, "--lint"])
        #expect(lint.status == 0, "\(lint.output)")
    }

    @Test func everyDocumentedOperationAnswersOnlyDocumentedStatuses() async throws {
        let listed = try await Subprocess.run(ExternalTools.python, [ContractCheck.script.path, ContractCheck.specification.path, "--operations"])
        let operations = try JSONDecoder().decode([Operation].self, from: Data(listed.output.utf8))
        #expect(operations.count >= 20)
        try await APIHarness.run { h, client in
            for operation in operations {
                let path = operation.path.replacingOccurrences(of: "{id}", with: h.fixture.courseId.uuidString)
                    .replacingOccurrences(of: "{recordId}", with: UUID().uuidString).replacingOccurrences(of: "{kind}", with: "pain-scores")
                    .replacingOccurrences(of: "{table}", with: "pain_scores").replacingOccurrences(of: "{file}", with: "pain_scores.csv")
                let method = HTTPRequest.Method(rawValue: operation.method)!
                let body = method == .get ? nil : "{}"
                for token in [nil, h.clinician, h.tokens["researcher"]] {
                    let reply = try await client.send(method, path, body, token: token, extra: [.ifMatch: "\"1\""])
                    #expect(reply.status.code < 500, "\(operation.method) \(path): \(reply.status)")
                }
            }
        }
    }
}
