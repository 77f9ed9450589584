import Foundation
import NIOCore
import RegistryAnalytics
import RegistryCore
import RegistryDevTools
import RegistryTestSupport
import Testing

@testable import RegistryStore

/// Researchers reproduce the report without us: the scripts in every export run on an export of
/// the demo data with R (`r-base-core`, `r-cran-survival`) and pandas, as `.ci/run` installs them.
/// Elsewhere the suite runs when both are present; with `REGISTRY_TEST_REQUIRE_TOOLS=1` (CI) their
/// absence is a failure, not a skip.
@Suite(.enabled(if: RAndPandas.available || ExternalTools.required))
struct ExportScriptsTests {
    @Test func loadAndReproduceScriptsReadTheExportAndRecomputeTheLogRankTest() async throws {
        #expect(RAndPandas.available, "Rscript with the survival package and \(ExternalTools.python) with pandas are needed")
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let registry = try Repositories.testing(database)
            try await DemoData(courses: 300, today: CalendarDate(iso: "2026-11-25")!).load(
                into: registry, auth: config.auth)
            let report = try await ReportRepository(database: database).outcomes(
                rules: config.clinical, filter: ReportFilter(), scope: nil, by: Fixture.actor)
            let plan = ExportPlan(
                selection: ExportSelection(), scope: nil, deidentifier: Deidentifier(projectKey: nil, dates: .shifted),
                includeNotes: false, rules: config.clinical)
            var sink = MemorySink()
            let manifest = try await ExportRepository(database: database).everything(plan, by: Fixture.actor, to: &sink)
            let folder = FileManager.default.temporaryDirectory.appending(path: "registry-export-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            for (name, text) in sink.files { try Data(text.utf8).write(to: folder.appending(path: name)) }
            let rows = Dictionary(
                uniqueKeysWithValues: manifest.files.compactMap { file in
                    file.rows.map { (file.name.replacingOccurrences(of: ".csv", with: ""), $0) }
                })
            #expect(rows["courses"] == 300)

            // reproduce.R prints the report's χ² and p to 4 decimals.
            let logRank = try #require(report.comparison?.logRank)
            let reproduced = try await RAndPandas.run(["Rscript", "reproduce.R"], in: folder)
            let expected = String(format: "log-rank chi-square %.4f p %.4f", try #require(logRank.chiSquare), try #require(logRank.pValue))
            #expect(reproduced.contains(expected), "\(reproduced)")

            // load.R: every table with its rows, dates as Date, codes as factors with labels, 0/1 as logical.
            let r = try await RAndPandas.run(
                [
                    "Rscript", "-e",
                    """
                    source("load.R"); for (t in names(registry)) cat(t, nrow(registry[[t]]), "\\n")
                    c <- registry$courses; cat("types", class(c$start_date), class(c$side), class(c$baseline_nrs), class(c$responder),
                      class(registry$blocks$relief_percent), "\\n"); cat("levels", levels(registry$pain_scores$timepoint), "\\n")
                    """,
                ], in: folder)
            for (table, count) in rows { #expect(r.contains("\(table) \(count) \n"), "\(table) in \(r)") }
            #expect(r.contains("types Date factor integer logical numeric"), "\(r)")
            #expect(r.contains("levels baseline pre procedure post procedure follow up"), "\(r)")

            // load.py: the same with pandas dtypes.
            let python = try await RAndPandas.run([ExternalTools.python, "load.py", folder.path], in: folder)
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(python.utf8)) as? [String: [String: Any]])
            for (table, count) in rows { #expect(summary[table]?["rows"] as? Int == count, "\(table)") }
            let courses = try #require(summary["courses"]?["types"] as? [String: String])
            #expect(courses["start_date"]?.hasPrefix("datetime64") == true)
            #expect(courses["side"] == "category" && courses["baseline_nrs"] == "Int64" && courses["responder"] == "boolean")
            #expect(
                courses["baseline_timepoint"] == "category" && courses["symptom_duration"] == "category" && courses["first_treatment"] == "category")
            #expect(courses["adhesion_on_ultrasound"] == "boolean" && courses["baseline_fascia_thickness_mm"] == "float64")
            #expect((summary["blocks"]?["types"] as? [String: String])?["relief_percent"] == "float64")
        }
    }
}

/// Collects an export's files in memory.
struct MemorySink: ExportSink {
    var files: [(String, String)] = []

    mutating func begin(file: String) async throws { files.append((file, "")) }
    mutating func write(_ chunk: ByteBuffer) async throws { files[files.count - 1].1 += String(buffer: chunk) }
    mutating func end() async throws {}
}

/// R with survival and Python with pandas, and how the test runs them.
enum RAndPandas {
    static let available: Bool = {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return (try? Subprocess.runBlocking("Rscript", ["-e", "library(survival)"], in: here))?.status == 0 && ExternalTools.pythonHas("pandas")
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `arguments` in `folder`; returns standard output, or throws with standard error when it fails.
    static func run(_ arguments: [String], in folder: URL) async throws -> String {
        let outcome = try await Subprocess.run(arguments[0], Array(arguments.dropFirst()), in: folder)
        guard outcome.status == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) exited \(outcome.status): \(outcome.errors)")
        }
        return outcome.output
    }
}
