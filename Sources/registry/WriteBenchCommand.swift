import ArgumentParser
import Foundation
import RegistryCore
import RegistryDevTools
import RegistryStore

/// The write path's target: N clients POST pain scores through HTTP, each with its own
/// Idempotency-Key (wrk), against pgbench inserting single rows into a table of the same shape,
/// in the same run, in alternating rounds; goals: ratio ≥ 0.5 (0.3 at least) and the API's p99 < 10 ms at 8 clients.
struct WriteBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write", abstract: "Time POST pain-scores against pgbench single-row inserts (needs wrk and pgbench).")

    @OptionGroup var load: BenchLoad

    func validate() throws {
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/pgbench") {
            throw ValidationError("pgbench is needed: apt-get install postgresql-contrib")
        }
    }

    func run() async throws {
        let context = try CommandContext()
        let (clients, seconds) = (load.clients, load.seconds)
        try await withDemoDatabase("registry_bench_write", context: context) { database, url in
            let actor = Actor(userId: nil, label: "bench", route: "registry bench write")
            let token = try await AccountRepository(database: database).issueToken(username: "clinician.north", label: "bench", days: 1, actor: actor)
                .token
            let courses = try await database.withConnection { connection in
                var ids: [UUID] = []
                for try await id in try await connection.query(
                    """
                    SELECT c.id FROM treatment_courses c JOIN sites s ON s.id = c.site_id WHERE s.code = 'NORTH' ORDER BY c.id
                    """, logger: context.logger
                ).decode(UUID.self) { ids.append(id) }
                try await connection.query(
                    "CREATE TABLE bench_pain_scores (LIKE pain_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)",
                    logger: context.logger)
                return ids
            }
            let before = try await painScores(database, context)
            let today = context.config.today()
            let folder = FileManager.default.temporaryDirectory.appending(path: "registry-bench-write-\(getpid())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let lua = folder.appending(path: "post.lua"), sql = folder.appending(path: "insert.sql")
            try Self.wrkScript(courses: courses, token: token, today: today).write(to: lua, atomically: true, encoding: .utf8)
            try "INSERT INTO bench_pain_scores (course_id, recorded_on, timepoint, nrs) VALUES ('\(courses[0])', DATE '\(today)', 'follow_up', 5);\n"
                .write(to: sql, atomically: true, encoding: .utf8)
            try await withBenchServer(context: context, url: url) { server in
                let pgbench = Pgbench(url: url, script: sql, clients: clients)
                // How many inserts a client makes in about `seconds`, so both sides are timed over
                // the same stretch of this shared machine's load.
                let perClient = max(2000, Int(try await pgbench.run(transactionsPerClient: 2000) * Double(seconds) / Double(clients)))
                let (rounds, median) = try await BenchRounds.run(
                    { round in
                        let api = try WrkRun(
                            try await runOffThePool("wrk", ["-t2", "-c\(clients)", "-d\(seconds)s", "--latency", "-s", lua.path, server]))
                        let tps = try await pgbench.run(transactionsPerClient: perClient)
                        say(
                            String(
                                format: "round %d: API %.0f req/s (p50 %.2f ms, p99 %.2f ms, %d non-2xx), pgbench %.0f tps, ratio %.2f",
                                round, api.rate, api.p50, api.p99, api.errors, tps, api.rate / tps))
                        return (api: api, tps: tps)
                    }, ratio: { $0.api.rate / $0.tps })
                let written = try await painScores(database, context) - before
                let worstP99 = rounds.map(\.api.p99).max() ?? 0
                say(
                    String(
                        format:
                            "API POST /api/v1/courses/{id}/pain-scores: %.0f req/s, p50 %.2f ms, p99 %.2f ms (worst round), %d non-2xx, %d "
                            + "rows written",
                        median.api.rate, median.api.p50, worstP99, rounds.map(\.api.errors).reduce(0, +), written))
                say(String(format: "pgbench single-row INSERT, same shape:   %.0f tps", median.tps))
                say(
                    String(
                        format: "ratio API/pgbench: %.2f, the median of %d rounds   (goal ≥ 0.5, at least 0.3); API p99 %.2f ms (goal < 10)",
                        median.api.rate / median.tps, rounds.count, worstP99))
                say("\(clients) clients each; server, database and load generators share this machine's cores")
            }
        }
    }

    private func painScores(_ database: RegistryDatabase, _ context: CommandContext) async throws -> Int {
        try await database.withConnection { connection in
            try await connection.query("SELECT count(*)::int FROM pain_scores", logger: context.logger).decode(Int.self).first { _ in true } ?? 0
        }
    }

    /// wrk's script: each request to a random course of the list, with a key no other request uses.
    static func wrkScript(courses: [UUID], token: String, today: CalendarDate) -> String {
        """
        local courses = {\(courses.map { "\"\($0.uuidString.lowercased())\"" }.joined(separator: ","))}
        local threads, serial = 0, 0
        function setup(thread) threads = threads + 1; thread:set("tid", threads) end
        function init(args) serial = 0; math.randomseed(os.time() * 1000 + tid) end
        function request()
          serial = serial + 1
          local course = courses[math.random(#courses)]
          local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer \(token)",
                           ["Idempotency-Key"] = string.format("bench-%d-%d-%d", tid, serial, math.random(1000000000))}
          return wrk.format("POST", "/api/v1/courses/" .. course .. "/pain-scores", headers,
                            '{"recordedOn":"\(today)","timepoint":"follow_up","nrs":5}')
        end
        """
    }
}

/// pgbench running one insert script with `clients` clients against the bench database.
private struct Pgbench {
    let url: DatabaseURL
    let script: URL
    let clients: Int

    /// Transactions per second. A fixed number of inserts per client rather than -T: pgbench's
    /// own timer proved unreliable on shared machines.
    func run(transactionsPerClient: Int) async throws -> Double {
        let output = try await runOffThePool(
            "pgbench",
            [
                "-n", "-c", String(clients), "-j", "2", "-t", String(transactionsPerClient), "-f", script.path,
                "-h", url.host, "-p", String(url.port), "-U", url.username, url.database,
            ],
            environment: url.password.map { ["PGPASSWORD": $0] } ?? [:])
        return try pgbenchTPS(output)
    }
}
