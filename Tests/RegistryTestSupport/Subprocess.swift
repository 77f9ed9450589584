import Foundation

/// Runs another program for a test (the built `registry`, R, Python, promtool) and collects
/// what it printed.
public enum Subprocess {
    public struct Outcome: Sendable {
        public let status: Int32
        /// Standard output, and standard error after it when `mergingErrors`.
        public let output: String
        public let errors: String
    }

    /// Runs `program` (a path, or a name looked up on the PATH) with `arguments` in `folder`,
    /// `environment` replacing the process's own when given, `input` on standard input.
    /// It is waited for on a thread of its own: the tests share two cooperative threads with the
    /// servers they start, and a program waited for on one of them can starve every server.
    public static func run(
        _ program: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String]? = nil,
        input: String = "", mergingErrors: Bool = false
    ) async throws -> Outcome {
        try await BlockingWork.aside {
            try runBlocking(program, arguments, in: folder, environment: environment, input: input, mergingErrors: mergingErrors)
        }
    }

    /// The same, waited for on the calling thread: only for a check made before any test runs
    /// (a trait deciding whether a tool is there).
    public static func runBlocking(
        _ program: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String]? = nil,
        input: String = "", mergingErrors: Bool = false
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
        process.arguments = program.hasPrefix("/") ? arguments : [program] + arguments
        if let folder { process.currentDirectoryURL = folder }
        if let environment { process.environment = environment }
        // Standard error goes to a file, so a chatty program never blocks on a full pipe.
        let errorFile = FileManager.default.temporaryDirectory.appending(path: "subprocess-\(UUID()).err")
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let stdin = Pipe(), stdout = Pipe(), stderr = try FileHandle(forWritingTo: errorFile)
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = mergingErrors ? stdout : stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try stderr.close()
        let errors = String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
        return Outcome(status: process.terminationStatus, output: output, errors: errors)
    }

}
