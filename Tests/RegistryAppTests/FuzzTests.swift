import Foundation
import HummingbirdTesting
import RegistryCore
import RegistryTestSupport
import Testing

/// Schemathesis (PyPI) generates requests from the served OpenAPI document, valid and invalid,
/// and sends them to a live server with a token of each role: no answer is a 5xx, every status
/// is one the document lists for the operation, and every body (4xx problems included) matches
/// its documented schema, and the document states every rule: requests it calls valid are not
/// refused wholesale (schemathesis's "schema validation mismatch"). Bounded: ten examples per
/// operation and phase, a fixed seed; one role at a time, so the fuzzer does not starve the suites
/// running beside it.
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
            // Schemathesis and Hypothesis keep caches in their working directory: a scratch folder, not the checkout.
            let scratch = FileManager.default.temporaryDirectory.appending(path: "registry-fuzz-\(role)-\(UUID())")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            // What the hooks give valid requests: the fixture's records and its dates (fuzz_hooks.py).
            let today = CalendarDate(APIHarness.now, in: try TestDatabase.config().clinicTimeZone)
            environment.merge([
                "FUZZ_URL": "http://127.0.0.1:\(port)", "FUZZ_CLINICIAN_TOKEN": h.clinician,
                "FUZZ_EARLIEST": Fixture.courseStart.description, "FUZZ_LATEST": today.description,
                "FUZZ_COURSE_ID": h.fixture.courseId.uuidString, "FUZZ_PATIENT_ID": h.fixture.patientId.uuidString,
                "FUZZ_SITE_ID": h.fixture.siteId.uuidString, "FUZZ_CLINICIAN_ID": h.fixture.clinicianId.uuidString,
            ]) { _, new in new }
            let run = try await Subprocess.run(
                ExternalTools.python,
                [
                    "-m", "schemathesis.cli", "run", ContractCheck.specification.path, "--url", "http://127.0.0.1:\(port)",
                    "--header", "Authorization: Bearer \(h.tokens[role]!)",
                    "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
                    "--include-path-regex", "^/api/", "--phases", "examples,coverage,fuzzing",
                    "--max-examples", "10", "--seed", "1", "--no-color", "--suppress-health-check", "all",
                    // No example database: the same cases each run, and nothing written into the checkout.
                    "--generation-database", "none",
                    // The cookie scheme is for browsers; the token is the credential here.
                    "--generation-with-security-parameters", "false",
                ], in: scratch, environment: environment, mergingErrors: true)
            #expect(run.status == 0, "\(run.output.suffix(6000))")
            #expect(run.output.contains("passed"), "\(run.output.suffix(2000))")
            // Valid requests the registry refuses mean the document hides a rule.
            #expect(!run.output.contains("Schema validation mismatch"), "\(run.output.suffix(3000))")
        }
    }
}

enum Schemathesis {
    static let available = ExternalTools.pythonHas("schemathesis")
    /// The folder of `fuzz_hooks.py`.
    static let hooks = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport")
}
