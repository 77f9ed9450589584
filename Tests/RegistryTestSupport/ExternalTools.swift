import Foundation

/// The programs some tests run beside Swift (Python with its packages, R, Chromium, promtool):
/// which Python, and whether their absence fails the run (CI sets REGISTRY_TEST_REQUIRE_TOOLS=1
/// after installing them) or skips those tests.
public enum ExternalTools {
    /// `REGISTRY_TEST_PYTHON` names another Python, such as a venv's.
    public static let python = ProcessInfo.processInfo.environment["REGISTRY_TEST_PYTHON"] ?? "python3"
    public static let required = ProcessInfo.processInfo.environment["REGISTRY_TEST_REQUIRE_TOOLS"] == "1"

    /// True when `python` can import every module named.
    public static func pythonHas(_ modules: String...) -> Bool {
        (try? Subprocess.runBlocking(python, ["-c", "import " + modules.joined(separator: ", ")]).status) == 0
    }
}
