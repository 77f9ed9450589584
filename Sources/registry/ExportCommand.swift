import ArgumentParser
import Foundation
import NIOCore
import RegistryAnalytics
import RegistryCore
import RegistryStore

/// `registry export --out DIR`: every table, the codebook and the manifest, or with `--format fhir`
/// one FHIR NDJSON file per resource type and the Bulk Data manifest; de-identified exactly as the
/// API does it.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a de-identified research export to a folder.")

    @Option(help: "Folder to write (created; existing export files are replaced).") var out: String
    @Option(help: "Only this site (UUID).") var site: String?
    @Option(help: "Courses started on or after this date (YYYY-MM-DD).") var from: String?
    @Option(help: "Courses started on or before this date (YYYY-MM-DD).") var to: String?
    @Option(help: "Only this outcome cohort (1-2, 3-5, >5, not improved, not evaluable).") var cohort: String?
    @Option(help: "Only courses with this procedure kind.") var procedureKind: String?
    @Option(help: "shifted (per-patient offset) or relative (days from course start; CSV only).") var dates = "shifted"
    @Option(help: "csv (tables, codebook, scripts) or fhir (FHIR R4 Bulk Data: NDJSON per resource type).") var format = ExportFormat.csv

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case csv, fhir }

    func run() async throws {
        let context = try CommandContext()
        let plan: ExportPlan
        do {
            var request = try ExportRequest.parse(
                siteId: site, from: from, to: to, cohort: cohort, procedureKind: procedureKind, dates: dates,
                cohorts: CourseOutcome.cohortLabels(context.config.clinical.cohorts))
            if format == .fhir { request = try request.forFHIR() }
            plan = ExportPlan(request, scope: nil, config: context.config)
        } catch {
            throw error.asOptionErrors(["siteId": "site", "procedureKind": "procedure-kind"])
        }
        let folder = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("cannot create \(out): \(error.localizedDescription)")
        }
        let actor = Actor(userId: nil, label: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown"), route: "registry export")
        var bar = ProgressBar(label: "exporting")
        var done = 0
        var total = 0
        let files = try await context.withDatabase { database in
            var sink = FolderSink(folder: folder)
            switch format {
            case .csv:
                return try await ExportRepository(database: database).everything(plan, by: actor, to: &sink) { _, rows in
                    done += 1
                    total += rows
                    bar.update(done, ExportTable.allCases.count)
                }.files.count
            case .fhir:
                let fhir = FHIRRepository(database: database, systemBase: context.config.export.fhirSystemBase)
                return try await fhir.bulk(plan, by: actor, request: "registry export --format fhir", to: &sink) { _, resources in
                    done += 1
                    total += resources
                    bar.update(done, FHIRResourceType.allCases.count)
                }.extension.files.count
            }
        }
        say("wrote \(files) files, \(total) \(format == .csv ? "rows" : "resources"), to \(folder.path)")
    }
}

/// Writes each export file into a folder.
struct FolderSink: ExportSink {
    let folder: URL
    private var handle: FileHandle?

    init(folder: URL) { self.folder = folder }

    mutating func begin(file: String) async throws {
        let url = folder.appending(path: file)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CommandFailure("cannot write \(url.path)")
        }
        handle = try FileHandle(forWritingTo: url)
    }

    mutating func write(_ chunk: ByteBuffer) async throws { try handle?.write(contentsOf: Data(chunk.readableBytesView)) }

    mutating func end() async throws {
        try handle?.close()
        handle = nil
    }
}
