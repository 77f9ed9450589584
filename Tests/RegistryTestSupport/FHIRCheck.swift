import Foundation
import Testing

/// fhir_check.py with the fhir.resources package (6.4, FHIR R4 4.0.1), in a Python of its own
/// (`REGISTRY_TEST_FHIR_PYTHON`): that series needs pydantic 1, the contract check's packages 2.
public enum FHIRCheck {
    public static let python = ProcessInfo.processInfo.environment["REGISTRY_TEST_FHIR_PYTHON"] ?? ExternalTools.python
    public static let script = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/fhir_check.py")
    public static let available = (try? Subprocess.runBlocking(python, ["-c", "import fhir.resources.patient"]))?.status == 0

    /// Validates a course Bundle (`mode` "bundle", a file) or a Bulk export (`mode` "bulk", a folder);
    /// records a failure of the current test for every problem. Returns the resources per type,
    /// or nil when the validator is not installed (a failure too when CI requires it).
    public static func validate(_ mode: String, _ path: URL) async throws -> [String: Int]? {
        guard available else {
            #expect(!ExternalTools.required, "\(python) with fhir.resources 6.4 is needed to validate FHIR output")
            return nil
        }
        let outcome = try await Subprocess.run(python, [script.path, mode, path.path])
        #expect(outcome.status == 0, "fhir_check \(mode):\n\(outcome.output)\(outcome.errors)")
        guard outcome.status == 0 else { return nil }
        let summary = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any]
        #expect(summary?["fhirVersion"] as? String == "4.0.1")
        return summary?["resources"] as? [String: Int]
    }
}
