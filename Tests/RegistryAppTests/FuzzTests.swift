import Foundation
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// Schemathesis (PyPI) generates requests from the served OpenAPI document, valid and invalid,
/// and sends them to a live server with a token of each role: no answer is a 5xx, every status
/// is one the document lists for the operation, and every body (4xx problems included) matches
/// its documented schema. Bounded: ten examples per operation and phase, a fixed seed; one role
/// at a time, so the fuzzer does not starve the suites running beside it.
@Suite(.serialized, .enabled(if: Schemathesis.available || ExternalTools.required))
struct FuzzTests {

    @Test(arguments: ["clinician", "manager", "researcher", "admin"])
    func generatedRequestsGetOnlyDocumentedAnswers(role: String) async throws {
        #expect(Schemathesis.available, "schemathesis is needed: pip install schemathesis")
        try await APIHarness.run(.live) { h, client in
            let port = try #require(client.port)
            var environment = ProcessInfo.processInfo.environment
            environment["SCHEMATHESIS_HOOKS"] = "fuzz_hooks"
            environment["PYTHONPATH"] = Schemathesis.hooks.path
            let run = try await Subprocess.runAside(ExternalTools.python, [
                "-m", "schemathesis.cli", "run", ContractCheck.specification.path, "--url", "http://127.0.0.1:\(port)",
                "--header", "Authorization: Bearer \(h.tokens[role]!)",
                "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
                "--include-path-regex", "^/api/", "--phases", "examples,coverage,fuzzing",
                "--max-examples", "10", "--seed", "1", "--no-color", "--suppress-health-check", "all",
                // The cookie scheme is for browsers; the token is the credential here.
                "--generation-with-security-parameters", "false",
            ], environment: environment, mergingErrors: true)
            #expect(run.status == 0, "\(run.output.suffix(6000))")
            #expect(run.output.contains("passed"), "\(run.output.suffix(2000))")
        }
    }
}

enum Schemathesis {
    static let available = ExternalTools.pythonHas("schemathesis")
    /// The folder of `fuzz_hooks.py`.
    static let hooks = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport")
}
