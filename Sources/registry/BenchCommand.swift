import ArgumentParser
import Foundation
import RegistryAnalytics
import RegistryCore
import RegistryDevTools
import RegistryStore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that print ratios against a baseline measured in the same run.",
        subcommands: [ReportBenchCommand.self, ExportBenchCommand.self, PagesBenchCommand.self, DashboardBenchCommand.self, WriteBenchCommand.self])
}

/// The report's scale target: the outcome report over N courses against a plain sequential read of
/// the same rows (goal ≤ 2×), and the process's peak memory at N/10 and at N courses (goal: no
/// growth with N beyond the per-cohort tables).
struct ReportBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Time the outcome report against a plain read.")

    @OptionGroup var scale: BenchScale
    var courses: Int { scale.courses }
    var repeats: Int { scale.repeats }

    func run() async throws {
        let context = try CommandContext()
        try await withScratchDatabase("registry_bench", context: context) { database, url in
            say("generating \(courses) courses in \(url) …")
            let generation = try await clock { try await BenchmarkData.generate(courses: courses, into: database) }
            say(String(format: "generated in %.1f s", generation))
            let reports = ReportRepository(database: database)
            let rules = context.config.clinical
            let actor = Actor(userId: nil, label: "bench", route: "registry bench report")
            var rows = 0
            _ = try await clock { rows = try await reports.readRawRows() }  // warm the cache
            var read = Double.infinity, report = Double.infinity
            for _ in 0..<repeats {
                read = min(read, try await clock { _ = try await reports.readRawRows() })
                report = min(
                    report,
                    try await clock {
                        _ = try await reports.outcomes(
                            rules: rules, filter: ReportFilter(), scope: nil, by: actor)
                    })
            }
            // Memory: a tenth of the courses (site A) first, then all; peak RSS is monotonic, so
            // growth shows as a higher second figure.
            let siteA = try await database.withConnection { connection in
                try await connection.query("SELECT id FROM sites WHERE code = 'BENCH-A'", logger: context.logger).decode(UUID.self).first { _ in true
                }
            }
            let small = try await reports.outcomes(
                rules: rules, filter: ReportFilter(siteId: siteA), scope: nil, by: actor)
            let peakSmall = peakResidentMegabytes()
            let full = try await reports.outcomes(rules: rules, filter: ReportFilter(), scope: nil, by: actor)
            let peakFull = peakResidentMegabytes()
            say("rows read: \(rows)")
            say(String(format: "plain sequential read: %.2f s (%.0f rows/s)", read, Double(rows) / read))
            say(String(format: "outcome report:        %.2f s (%.0f rows/s)", report, Double(rows) / report))
            say(String(format: "ratio report/read:     %.2f   (goal ≤ 1.50)", report / read))
            say(
                String(
                    format: "peak RSS after report of %d courses: %.1f MB; after %d courses: %.1f MB (growth %.1f MB)",
                    small.courses, peakSmall, full.courses, peakFull, peakFull - peakSmall))
        }
    }

}

/// How much benchmark data to generate and how often to time each measurement.
struct BenchScale: ParsableArguments {
    @Option(help: "Courses to generate (4 sessions, 15 pain scores each).") var courses = 100_000
    @Option(help: "Timed repetitions of each measurement; the fastest counts.") var repeats = 2

    func validate() throws {
        guard (1_000...2_000_000).contains(courses) else { throw ValidationError("--courses must be from 1000 to 2000000") }
        guard (1...10).contains(repeats) else { throw ValidationError("--repeats must be from 1 to 10") }
    }
}

/// Wall-clock seconds that `body` takes.
func clock(_ body: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// A scratch database on the configured server (or the private cluster), migrated, for `body`;
/// dropped afterwards. Refuses non-local servers, like every drop.
func withScratchDatabase<T: Sendable>(
    _ name: String, context: CommandContext, _ body: (RegistryDatabase, DatabaseURL) async throws -> T
) async throws -> T {
    let server = context.config.database.url.isEmpty ? try LocalCluster.default().start { say($0) } : try context.databaseURL()
    let url = server.with(database: name)
    try await DatabaseAdmin.drop(url, logger: context.logger)
    try await DatabaseAdmin.createIfMissing(url, logger: context.logger)
    let result = try await context.withDatabase(url: url) { database in
        try await context.migrator().migrate(database)
        return try await body(database, url)
    }
    try await DatabaseAdmin.drop(url, logger: context.logger)
    return result
}

/// VmHWM of /proc/self/status: the process's peak resident memory, in MB.
func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return kilobytes / 1024
}
