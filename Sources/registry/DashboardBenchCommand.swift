import ArgumentParser
import Foundation
import RegistryCore
import RegistryDevTools
import RegistryStore

/// The dashboard's speed target: `/reports/outcomes` over N courses (default 100,000, the
/// report benchmark's data) against the JSON report of the same courses, both through HTTP in
/// the same run; goal: the page under 2× the JSON's time.
struct DashboardBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Time the outcome dashboard against the JSON report (needs curl).")

    @OptionGroup var scale: BenchScale

    func run() async throws {
        let context = try CommandContext()
        let (courses, repeats) = (scale.courses, scale.repeats)
        try await withScratchDatabase("registry_bench_dashboard", context: context) { database, url in
            say("generating \(courses) courses …")
            try await BenchmarkData.generate(courses: courses, into: database)
            var auth = context.config.auth
            auth.bcryptCost = 4
            let actor = Actor(userId: nil, label: "bench", route: "registry bench dashboard")
            let password = Secret.generate(prefix: "")
            let accounts = AccountRepository(database: database)
            _ = try await accounts.addUser(
                username: "bench.researcher", displayName: "Bench", role: .researcher, siteCodes: [], password: password,
                rules: auth, actor: actor)
            let token = try await accounts.issueToken(username: "bench.researcher", label: "bench", days: 1, actor: actor).token
            try await withBenchServer(context: context, url: url) { server in
                let cookie = try await signIn(server, username: "bench.researcher", password: password)
                func fastest(_ path: String, _ header: String) async throws -> (seconds: Double, bytes: Int) {
                    var best = (seconds: Double.infinity, bytes: 0)
                    for _ in 0..<repeats {
                        let out = try await runOffThePool(
                            "curl", ["-sS", "--fail", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", "-H", header, server + path])
                        let parts = out.split(separator: " ")
                        if let seconds = Double(parts[0]), seconds < best.seconds { best = (seconds, Int(parts[1]) ?? 0) }
                    }
                    return best
                }
                let json = try await fastest("/api/v1/reports/outcomes", "Authorization: Bearer \(token)")
                let page = try await fastest("/reports/outcomes", "Cookie: \(cookie)")
                say(String(format: "JSON report /api/v1/reports/outcomes: %.2f s, %.0f kB", json.seconds, Double(json.bytes) / 1000))
                say(String(format: "dashboard /reports/outcomes:          %.2f s, %.0f kB", page.seconds, Double(page.bytes) / 1000))
                say(String(format: "ratio dashboard/JSON:                 %.2f   (goal < 2)", page.seconds / json.seconds))
            }
        }
    }
}

/// Signs in through `POST /login` (JSON) and returns the session cookie (`name=value`).
func signIn(_ server: String, username: String, password: String) async throws -> String {
    let body = String(decoding: try JSONEncoder().encode(["username": username, "password": password]), as: UTF8.self)
    let headers = try await runOffThePool(
        "curl", ["-sS", "-o", "/dev/null", "-D", "-", "-H", "Content-Type: application/json", "-d", body, server + "/login"])
    guard
        let cookie = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("set-cookie:") })?
            .dropFirst("set-cookie:".count).split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
    else {
        throw CommandFailure("could not sign in as \(username)")
    }
    return cookie
}
