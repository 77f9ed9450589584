import ArgumentParser
import Foundation
import RegistryAnalytics
import RegistryCore
import RegistryStore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Outcome reports.",
        subcommands: [OutcomesReportCommand.self])
}

struct OutcomesReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes", abstract: "Response, sessions-to-improvement and recurrence per session cohort.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "text (a table) or json (the API's shape).") var format: Format = .text
    @Option(help: "Only this site (UUID).") var site: String?
    @Option(help: "Only this treating clinician (UUID).") var clinician: String?
    @Option(help: "First session on or after this date (YYYY-MM-DD).") var from: String?
    @Option(help: "First session on or before this date (YYYY-MM-DD).") var to: String?
    @Option(help: "Only courses with a hydrodissection using this injectate (\(Injectate.allowed.joined(separator: ", "))).") var injectate: String?
    @Option(help: "Only this side (left, right, bilateral).") var side: String?
    @Option(help: "Count only the pain scores entered by this source (clinician, patient).") var source: String?

    func run() async throws {
        let filter: ReportFilter
        do {
            filter = try ReportFilter.parse(
                siteId: site, clinicianId: clinician, from: from, to: to, injectate: injectate, side: side, source: source)
        } catch {
            throw error.asOptionErrors(["siteId": "site", "clinicianId": "clinician"])
        }
        let context = try CommandContext()
        let report = try await context.withDatabase { database in
            try await ReportRepository(database: database).outcomes(
                rules: context.config.clinical, filter: filter, scope: nil,
                followUp: FollowUpDay(context.config, now: Date()),
                by: Actor(userId: nil, label: "cli", route: "registry report outcomes"))
        }
        switch format {
        case .text: say(report.text)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            say(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
