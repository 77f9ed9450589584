import Crypto
import Foundation
import PostgresNIO
import RegistryCore

/// Where a whole export goes: a zip stream, or a folder.
public protocol ExportSink {
    mutating func begin(file: String) async throws
    mutating func write(_ chunk: ByteBuffer) async throws
    mutating func end() async throws
}

/// One file of an export, as the manifest lists it.
public struct ExportedFile: Codable, Sendable {
    public let name: String
    public let rows: Int?
    public let bytes: Int
    public let sha256: String
}

/// manifest.json: what was exported, when, by whom, how, and the checksum of every file.
public struct ExportManifest: Codable, Sendable {
    public let generatedAt: Date
    public let generatedBy: String
    public let route: String
    public let selection: ExportSelection
    public let dates: ExportDates
    public let projectStablePseudonyms: Bool
    public let notesIncluded: Bool
    public let thresholds: ClinicalRules
    public let software: String
    public let files: [ExportedFile]
    public let deidentification: String

    public static let softwareVersion = "scn-registry 1.0.0"
    static let deidentificationText =
        "No names, MRN, contact details or birth dates; age at course start in whole years (90+); "
        + "ids replaced by HMAC-SHA-256 pseudonyms under a key used for this export only (unless project-stable); "
        + "dates shifted by a per-patient offset of up to ±180 days (or days from course start); voided records left out."
}

extension ExportRepository {
    /// Writes every table, the codebook and the manifest to `sink`, in one read-only snapshot,
    /// after auditing the export. `progress(table, rowsSoFar)` is called after each table.
    public func everything<Sink: ExportSink>(
        _ plan: ExportPlan, by actor: Actor, to sink: inout Sink,
        progress: (ExportTable, Int) -> Void = { _, _ in }
    ) async throws -> ExportManifest {
        try await auditExport(plan, tables: ExportTable.allCases.map(\.rawValue), actor: actor)
        var files: [ExportedFile] = []
        var counting = HashingSink(inner: sink)
        try await inSnapshot(plan) { connection in
            for table in ExportTable.allCases {
                try await counting.begin(file: table.fileName)
                let rows = try await exportTable(table, plan: plan, on: connection) { try await counting.write($0) }
                files.append(try await counting.end(rows: rows))
                progress(table, rows)
            }
        }
        try await counting.begin(file: "codebook.csv")
        try await counting.write(ExportTable.codebook(notes: plan.includeNotes, dates: plan.deidentifier.dates))
        files.append(try await counting.end(rows: nil))
        for (name, text) in try ExportScripts.files(cohorts: plan.rules.cohorts) {
            try await counting.begin(file: name)
            try await counting.write(text)
            files.append(try await counting.end(rows: nil))
        }
        let manifest = ExportManifest(
            generatedAt: Date(), generatedBy: actor.label, route: actor.route, selection: plan.selection,
            dates: plan.deidentifier.dates, projectStablePseudonyms: plan.deidentifier.projectStable,
            notesIncluded: plan.includeNotes, thresholds: plan.rules, software: ExportManifest.softwareVersion,
            files: files, deidentification: ExportManifest.deidentificationText)
        try await counting.writeManifest(manifest)
        sink = counting.inner
        return manifest
    }

    /// Every export is audited before its first byte: who, which tables, which selection.
    public func auditExport(_ plan: ExportPlan, tables: [String], actor: Actor) async throws {
        let details: [String: Any] = [
            "tables": tables, "dates": plan.deidentifier.dates.rawValue, "notes": plan.includeNotes,
            "selection": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(plan.selection))) ?? [:],
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        try await database.transaction { try await auditAction("export", actor: actor, details: text, on: $0) }
    }
}

/// Passes chunks through while counting bytes and hashing them, for the manifest.
struct HashingSink<Inner: ExportSink> {
    var inner: Inner
    private var hasher = SHA256()
    private var bytes = 0
    private var name = ""

    init(inner: Inner) { self.inner = inner }

    mutating func begin(file: String) async throws {
        name = file
        hasher = SHA256()
        bytes = 0
        try await inner.begin(file: file)
    }

    mutating func write(_ chunk: ByteBuffer) async throws {
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        bytes += chunk.readableBytes
        try await inner.write(chunk)
    }

    mutating func write(_ text: String) async throws { try await write(ByteBuffer(string: text)) }

    /// `manifest.json`, the last file of an export: pretty, sorted, dates in ISO 8601.
    mutating func writeManifest(_ manifest: some Encodable) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try await begin(file: "manifest.json")
        try await write(String(decoding: try encoder.encode(manifest), as: UTF8.self))
        _ = try await end(rows: nil)
    }

    mutating func end(rows: Int?) async throws -> ExportedFile {
        try await inner.end()
        return ExportedFile(name: name, rows: rows, bytes: bytes, sha256: Hashing.hex(hasher.finalize()))
    }
}
