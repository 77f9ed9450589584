import ArgumentParser
import Foundation
import RegistryCore
import RegistryDevTools
import RegistryStore

/// The clinic's reads on the demo data at N concurrent clients (wrk), with p50 and p99: the
/// course's JSON, the course page, home, the patient page and the due list, in the same run as
/// the database's floor, `pgbench -S -M prepared` (primary-key reads). Goals: the course's JSON
/// at least 0.1× the floor with p99 < 10 ms; the course page and home at most 1.3× the JSON's
/// p50; pages under 100 kB.
struct PagesBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages", abstract: "Time the clinic's pages and the course's JSON against pgbench -S (needs wrk and pgbench).")

    @OptionGroup var load: BenchLoad

    func run() async throws {
        let context = try CommandContext()
        let (clients, seconds) = (load.clients, load.seconds)
        try await withDemoDatabase("registry_bench_pages", context: context) { database, url in
            let username = "clinician.north"
            let actor = Actor(userId: nil, label: "bench", route: "registry bench pages")
            let token = try await AccountRepository(database: database).issueToken(username: username, label: "bench", days: 1, actor: actor).token
            // The clinician's course with the most records: the heaviest page a clinic day brings.
            let chosen = try await database.withConnection { connection in
                try await connection.query(
                    """
                    SELECT c.id, c.patient_id FROM treatment_courses c JOIN sites s ON s.id = c.site_id
                    WHERE s.code = 'NORTH' ORDER BY (SELECT count(*) FROM pain_scores p WHERE p.course_id = c.id) DESC, c.id LIMIT 1
                    """, logger: context.logger
                ).decode((UUID, UUID).self).first { _ in true }
            }
            guard let (course, patient) = chosen else { throw CommandFailure("the demo data has no course at NORTH") }
            let floor = try await Self.pgbenchReads(url, clients: clients, seconds: seconds)
            try await withBenchServer(context: context, url: url) { server in
                let cookie = try await signIn(server, username: username, password: DemoData.demoPassword(username))
                let targets = [
                    ("JSON GET /api/v1/courses/{id}", "/api/v1/courses/\(course)", "Authorization: Bearer \(token)"),
                    ("course page /courses/{id}", "/courses/\(course)", "Cookie: \(cookie)"),
                    ("home page /home", "/home", "Cookie: \(cookie)"),
                    ("patient page /patients/{id}", "/patients/\(patient)", "Cookie: \(cookie)"),
                    ("due list /follow-ups", "/follow-ups", "Cookie: \(cookie)"),
                ]
                var results: [(name: String, run: WrkRun, bytes: Int)] = []
                for (name, path, header) in targets {
                    let bytes = try await runOffThePool(
                        "curl", ["-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}", "-H", header, server + path])
                    let output = try await runOffThePool("wrk", ["-t2", "-c\(clients)", "-d\(seconds)s", "--latency", "-H", header, server + path])
                    let run = try WrkRun(output)
                    results.append((name, run, Int(bytes) ?? 0))
                    say(
                        String(
                            format: "%-32@ %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %6.1f kB  (%d non-2xx)", name as NSString, run.rate, run.p50,
                            run.p99,
                            Double(Int(bytes) ?? 0) / 1000, run.errors))
                }
                let json = results[0].run
                say(String(format: "%-32@ %7.0f tps", "pgbench -S -M prepared" as NSString, floor))
                say(
                    String(
                        format: "course JSON: %.3f× pgbench -S (goal ≥ 0.1); p99 %.1f ms (goal < 10)", json.rate / floor, json.p99))
                for page in results.dropFirst() {
                    say(
                        String(
                            format: "%@: p50 %.2f× the JSON's (goal ≤ 1.3 for the course page and home); p99 %.1f ms; %.1f kB (goal < 100)",
                            page.name, page.run.p50 / json.p50, page.run.p99, Double(page.bytes) / 1000))
                }
                say("latencies are wrk's, measured by \(clients) clients on this machine, server and clients sharing its cores")
            }
        }
    }

    /// The database's own read floor on this machine: pgbench's select-only script (a primary-key
    /// read per transaction) over prepared statements, in tables it makes in the scratch database.
    static func pgbenchReads(_ url: DatabaseURL, clients: Int, seconds: Int) async throws -> Double {
        let connection = ["-h", url.host, "-p", String(url.port), "-U", url.username]
        let environment = url.password.map { ["PGPASSWORD": $0] } ?? [:]
        _ = try await runOffThePool("pgbench", ["-i", "-q", "-s", "1"] + connection + [url.database], environment: environment)
        // A fixed number of reads per client rather than -T, whose timer proved unreliable here:
        // a short run to size the measured one to about `seconds`.
        func run(_ perClient: Int) async throws -> Double {
            try pgbenchTPS(
                try await runOffThePool(
                    "pgbench",
                    ["-n", "-S", "-M", "prepared", "-c", String(clients), "-j", "2", "-t", String(perClient)] + connection + [url.database],
                    environment: environment))
        }
        let sized = max(2000, Int(try await run(2000) * Double(seconds) / Double(clients)))
        return try await run(sized)
    }
}

/// How many wrk clients, for how long (wrk must be installed).
struct BenchLoad: ParsableArguments {
    @Option(help: "Concurrent clients.") var clients = 8
    @Option(help: "Seconds per measurement.") var seconds = 10

    func validate() throws {
        guard (1...256).contains(clients) else { throw ValidationError("--clients must be from 1 to 256") }
        guard (2...300).contains(seconds) else { throw ValidationError("--seconds must be from 2 to 300") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw ValidationError("wrk is needed: apt-get install wrk") }
    }
}

/// What `wrk --latency` printed: requests per second, p50 and p99 in ms, non-2xx answers.
struct WrkRun {
    let rate: Double, p50: Double, p99: Double, errors: Int

    init(_ output: String) throws {
        func value(after label: String) -> String? {
            output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }?
                .trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(
                    String.init)
        }
        func milliseconds(_ text: String?) -> Double? {
            guard let text else { return nil }
            for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
                return Double(text.dropLast(unit.count)).map { $0 * scale }
            }
            return nil
        }
        guard let rate = value(after: "Requests/sec:").flatMap(Double.init), let p50 = milliseconds(value(after: "50%")),
            let p99 = milliseconds(value(after: "99%"))
        else { throw CommandFailure("could not read wrk's output:\n\(output)") }
        self.rate = rate
        self.p50 = p50
        self.p99 = p99
        errors = value(after: "Non-2xx or 3xx responses:").flatMap { Int($0) } ?? 0
    }
}
