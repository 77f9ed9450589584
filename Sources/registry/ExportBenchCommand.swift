import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RegistryApp
import RegistryCore
import RegistryDevTools
import RegistryStore

/// The export's targets, through the real HTTP API (streamed, read by curl), in alternating rounds
/// against a baseline of the same rows in the same run, with the server's peak memory at a tenth
/// and at all of the rows:
/// - `--format csv`: the pain-score CSV against `psql \copy` of the same rows as they are stored
///   (no pseudonyms, no date shift); goal ≥ 0.9 of psql's rate.
/// - `--format fhir`: the FHIR Bulk Data archive against the CSV archive of the same courses (both
///   de-identified, every record kind); goal ≤ 2× the CSV's time.
struct ExportBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Time the CSV export against psql \\copy, or the FHIR export against the CSV's.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, fhir }

    @Option(help: "Pain-score rows to generate (15 per course).") var rows = 1_000_000
    @Option(help: "csv (against psql \\copy) or fhir (against the CSV archive).") var format = Format.csv

    func validate() throws {
        guard (15_000...15_000_000).contains(rows) else { throw ValidationError("--rows must be from 15000 to 15000000") }
    }

    func run() async throws {
        let context = try CommandContext()
        try await withScratchDatabase("registry_bench_export", context: context) { database, url in
            say("generating \(rows) pain scores (\(rows / 15) courses) …")
            try await BenchmarkData.generate(courses: rows / 15, into: database)
            var auth = context.config.auth
            auth.bcryptCost = 4
            _ = try await AccountRepository(database: database).addUser(
                username: "bench.researcher", displayName: "Bench", role: .researcher, siteCodes: [],
                password: Secret.generate(prefix: ""), rules: auth, actor: Actor(userId: nil, label: "bench", route: "registry bench export"))
            let token = try await AccountRepository(database: database).issueToken(
                username: "bench.researcher", label: "bench", days: 1,
                actor: Actor(userId: nil, label: "bench", route: "registry bench export")
            ).token
            let siteA = try await database.withConnection { connection in
                try await connection.query("SELECT id FROM sites WHERE code = 'BENCH-A'", logger: context.logger).decode(UUID.self).first { _ in true
                }
            }!

            try await withBenchServer(context: context, url: url) { server in
                func curl(_ uri: String) async throws -> (seconds: Double, firstByte: Double) {
                    let out = try await runOffThePool(
                        "curl",
                        [
                            "-sS", "--fail", "-o", "/dev/null", "-w", "%{time_total} %{time_starttransfer}",
                            "-H", "Authorization: Bearer \(token)", uri,
                        ])
                    let parts = out.split(separator: " ").compactMap { Double($0) }
                    return (parts[0], parts[1])
                }
                switch format {
                case .csv: try await againstPsql(server: server, url: url, siteA: siteA, curl: curl)
                case .fhir: try await againstCSVArchive(server: server, siteA: siteA, curl: curl)
                }
            }
        }
    }

    typealias Curl = (String) async throws -> (seconds: Double, firstByte: Double)

    /// The pain-score CSV through the API against `psql \copy` of the same rows.
    func againstPsql(server: String, url: DatabaseURL, siteA: UUID, curl: Curl) async throws {
        let base = server + "/api/v1/exports/pain_scores.csv"

        // Memory: a tenth of the rows (site A) first, then all; peak RSS only ever rises.
        _ = try await curl(base + "?siteId=\(siteA)")
        let peakTenth = peakResidentMegabytes()
        let copy =
            "\\copy (SELECT p.id, p.course_id, c.patient_id, p.recorded_on, p.timepoint, p.nrs, p.odi, p.pgic "
            + "FROM pain_scores p JOIN treatment_courses c ON c.id = p.course_id WHERE p.voided_at IS NULL) TO '/dev/null' CSV HEADER"
        let (_, median) = try await BenchRounds.run(
            { round in
                let api = try await curl(base)
                let psql = try await clock {
                    _ = try await runOffThePool(
                        "psql", ["-X", "-q", "-h", url.host, "-p", String(url.port), "-U", url.username, "-d", url.database, "-c", copy],
                        environment: url.password.map { ["PGPASSWORD": $0] } ?? [:])
                }
                say(
                    String(
                        format: "round %d: API %.2f s (first byte after %.3f s), psql %.2f s, ratio %.2f", round, api.seconds, api.firstByte, psql,
                        psql / api.seconds))
                return (api: api, psql: psql)
            }, ratio: { $0.psql / $0.api.seconds })
        let peakAll = peakResidentMegabytes()
        let apiRate = Double(rows) / median.api.seconds, psqlRate = Double(rows) / median.psql
        say(
            String(
                format: "API export (curl, streamed CSV): %.2f s, %.0f rows/s, first byte after %.3f s", median.api.seconds, apiRate,
                median.api.firstByte))
        say(String(format: "psql \\copy of the same rows:     %.2f s, %.0f rows/s (as stored: no pseudonyms or date shift)", median.psql, psqlRate))
        say(String(format: "ratio API/psql:                   %.2f, the median of %d rounds   (goal ≥ 0.9)", apiRate / psqlRate, BenchRounds.count))
        say(
            String(format: "server peak RSS: %.1f MB after %d rows, %.1f MB after %d rows (goal < 100 MB, flat)", peakTenth, rows / 10, peakAll, rows)
        )
    }

    /// The FHIR Bulk Data archive against the CSV archive of the same courses, both through the API.
    func againstCSVArchive(server: String, siteA: UUID, curl: Curl) async throws {
        let fhir = server + "/api/v1/exports/fhir.zip", csv = server + "/api/v1/exports.zip"
        // Memory: a tenth of the rows (site A) first, then all; peak RSS only ever rises.
        _ = try await curl(fhir + "?siteId=\(siteA)")
        let peakTenth = peakResidentMegabytes()
        let (_, median) = try await BenchRounds.run(
            { round in
                let fhirRound = try await curl(fhir), csvRound = try await curl(csv)
                say(
                    String(
                        format: "round %d: FHIR %.2f s (first byte after %.3f s), CSV %.2f s, FHIR/CSV %.2f", round, fhirRound.seconds,
                        fhirRound.firstByte,
                        csvRound.seconds, fhirRound.seconds / csvRound.seconds))
                return (fhir: fhirRound, csv: csvRound)
            }, ratio: { $0.fhir.seconds / $0.csv.seconds })
        let peakAll = peakResidentMegabytes()
        say(String(format: "FHIR Bulk archive (NDJSON zip): %.2f s, first byte after %.3f s", median.fhir.seconds, median.fhir.firstByte))
        say(String(format: "CSV archive of the same courses: %.2f s, first byte after %.3f s", median.csv.seconds, median.csv.firstByte))
        say(
            String(
                format: "ratio FHIR/CSV time:            %.2f, the median of %d rounds   (goal ≤ 2)", median.fhir.seconds / median.csv.seconds,
                BenchRounds.count))
        say(
            String(
                format: "server peak RSS: %.1f MB after %d pain scores, %.1f MB after %d (goal < 100 MB, flat)", peakTenth, rows / 10, peakAll, rows))
    }
}
