import ArgumentParser
import Foundation
import RegistryCore
import RegistryDevTools
import RegistryStore

/// The write path's target: N clients POST pain scores through HTTP, each with its own
/// Idempotency-Key (wrk), against pgbench inserting single rows into a table of the same shape,
/// in the same run; goals: ratio ≥ 0.5 (0.3 at least) and the API's p99 < 10 ms at 8 clients.
struct WriteBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "write", abstract: "Time POST pain-scores against pgbench single-row inserts (needs wrk and pgbench).")

    @OptionGroup var load: BenchLoad

    func validate() throws {
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/pgbench") { throw ValidationError("pgbench is needed: apt-get install postgresql-contrib") }
    }

    func run() async throws {
        let context = try CommandContext()
        let (clients, seconds) = (load.clients, load.seconds)
        try await withDemoDatabase("registry_bench_write", context: context) { database, url in
            let actor = Actor(userId: nil, label: "bench", route: "registry bench write")
            let token = try await AccountRepository(database: database).issueToken(username: "clinician.north", label: "bench", days: 1, actor: actor).token
            let courses = try await database.withConnection { connection in
                var ids: [UUID] = []
                for try await id in try await connection.query("""
                    SELECT c.id FROM treatment_courses c JOIN sites s ON s.id = c.site_id WHERE s.code = 'NORTH' ORDER BY c.id
                    """, logger: context.logger).decode(UUID.self) { ids.append(id) }
                try await connection.query("CREATE TABLE bench_pain_scores (LIKE pain_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)",
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
                let output = try await runOffThePool("wrk", ["-t2", "-c\(clients)", "-d\(seconds)s", "--latency", "-s", lua.path, server])
                let api = try WrkRun(output)
                let written = try await painScores(database, context) - before
                // A fixed number of inserts per client rather than -T: pgbench's own timer proved unreliable on shared machines.
                let pgbench = try await runOffThePool("pgbench", ["-n", "-c", String(clients), "-j", "2", "-t", "2000", "-f", sql.path,
                                                                  "-h", url.host, "-p", String(url.port), "-U", url.username, url.database],
                                                      environment: url.password.map { ["PGPASSWORD": $0] } ?? [:])
                guard let tps = pgbench.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") })?.split(separator: " ").dropFirst(2).first
                    .flatMap({ Double($0) }) else { throw CommandFailure("could not read pgbench's output:\n\(pgbench)") }
                say(String(format: "API POST /api/v1/courses/{id}/pain-scores: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d non-2xx, %d rows written",
                           api.rate, api.p50, api.p99, api.errors, written))
                say(String(format: "pgbench single-row INSERT, same shape:   %.0f tps", tps))
                say(String(format: "ratio API/pgbench: %.2f   (goal ≥ 0.5, at least 0.3); API p99 %.2f ms (goal < 10)", api.rate / tps, api.p99))
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
