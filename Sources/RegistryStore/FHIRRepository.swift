import Foundation
import NIOCore
import PostgresNIO
import RegistryCore

/// FHIR Bulk Data's output manifest (`manifest.json`), with each file's checksum and the
/// de-identification said in its `extension`.
public struct FHIRBulkManifest: Codable, Sendable {
    public struct Output: Codable, Sendable {
        public let type: String
        /// The file's name inside the export (a folder or a zip).
        public let url: String
        public let count: Int
    }

    public struct Extension: Codable, Sendable {
        public let generatedBy: String
        public let selection: ExportSelection
        public let projectStablePseudonyms: Bool
        public let software: String
        public let deidentification: String
        public let files: [ExportedFile]
    }

    public let transactionTime: Date
    public let request: String
    public let requiresAccessToken: Bool
    public let output: [Output]
    public let error: [Output]
    public let `extension`: Extension
}

/// FHIR R4 out: one course as a `collection` Bundle for the hospital's record, and the registry,
/// de-identified as the CSV export is, as FHIR Bulk Data (one NDJSON file per resource type).
public struct FHIRRepository: Repository {
    let database: RegistryDatabase
    /// Where a Bulk export reads (a replica when one serves); a course's Bundle reads the primary.
    let reads: ReadSource
    /// The base URI of the registry's own code systems, extensions and identifier systems.
    let systemBase: String

    public init(database: RegistryDatabase, reads: ReadSource? = nil, systemBase: String) {
        self.database = database
        self.reads = reads ?? ReadSource(primary: database)
        self.systemBase = systemBase
    }

    /// The course with its patient, diagnosis, block, procedures, scores and the patient's
    /// answers, as Bundle JSON; nil when it is voided, unknown or at none of `scope`'s sites.
    /// Audited: it carries the patient's identity out of the registry.
    public func courseBundle(_ id: UUID, scope: Set<UUID>?, rules: ClinicalRules.Block, by actor: Actor) async throws -> String? {
        try await database.transaction { connection in
            try await connection.run("SET LOCAL TimeZone = 'UTC'", logger)
            var query = QueryBuilder("")
            let condition = " AND c.id = \(query.bind(id))" + query.siteConditions(siteId: nil, scope: scope)
            let resources = queries(&query, identity: .identified, rules: rules)
            let base = query.bind(systemBase)
            query.add(
                FHIRIdentity.identified.courses(condition: condition)
                    + " SELECT json_build_object('fullUrl', \(base) || '/' || (resource->>'resourceType') || '/' || (resource->>'id'), "
                    + "'resource', resource)::text"
                    + " FROM (SELECT resource::json AS resource FROM ("
                    + FHIRResourceType.allCases.map { "(\(resources.select($0)))" }.joined(separator: " UNION ALL ") + ") t) t")
            var entries: [String] = []
            for try await entry in try await connection.query(query.query, logger: logger).decode(String.self) { entries.append(entry) }
            guard !entries.isEmpty else { return nil }
            try await auditAction("export", actor: actor, details: "{\"fhir_bundle\":\"\(id.uuidString.lowercased())\"}", on: connection)
            let timestamp = ISO8601DateFormatter().string(from: Date())
            return "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"timestamp\":\"\(timestamp)\",\"entry\":[" + entries.joined(separator: ",")
                + "]}"
        }
    }

    /// Writes one NDJSON file per resource type and the Bulk Data manifest to `sink`, in one
    /// snapshot, after auditing the export; `progress(type, resources)` after each file.
    public func bulk<Sink: ExportSink>(
        _ plan: ExportPlan, by actor: Actor, request: String, to sink: inout Sink,
        progress: (FHIRResourceType, Int) -> Void = { _, _ in }
    ) async throws -> FHIRBulkManifest {
        guard plan.deidentifier.dates == .shifted else { throw ExportRequest.fhirNeedsCalendarDates }
        let exports = ExportRepository(database: database, reads: reads)
        try await exports.auditExport(plan, tables: FHIRResourceType.allCases.map { "fhir:" + $0.rawValue }, actor: actor)
        var files: [ExportedFile] = [], output: [FHIRBulkManifest.Output] = []
        var counting = HashingSink(inner: sink)
        let started = Date()
        try await exports.inSnapshot(plan) { connection in
            try await connection.run("SET LOCAL TimeZone = 'UTC'", logger)
            for type in FHIRResourceType.allCases {
                try await counting.begin(file: type.fileName)
                var query = QueryBuilder("")
                var condition = plan.selection.sql(&query, scope: plan.scope)
                if plan.selection.cohort != nil { condition += " AND c.id IN (SELECT id FROM export_courses)" }
                let identity = FHIRIdentity.pseudonymous(
                    inner: query.bind(ByteBuffer(bytes: plan.deidentifier.innerPad)),
                    outer: query.bind(ByteBuffer(bytes: plan.deidentifier.outerPad)))
                let resources = queries(&query, identity: identity, rules: plan.rules.block)
                query.add(identity.courses(condition: condition) + " SELECT resource::text || E'\\n' FROM (\(resources.select(type))) t")
                var buffer = ChunkBuffer()
                for try await line in try await connection.query(query.query, logger: logger).decode(ByteBuffer.self) {
                    if let chunk = buffer.add(line) { try await counting.write(chunk) }
                }
                if let chunk = buffer.drain() { try await counting.write(chunk) }
                files.append(try await counting.end(rows: buffer.rows))
                output.append(.init(type: type.rawValue, url: type.fileName, count: buffer.rows))
                progress(type, buffer.rows)
            }
        }
        let manifest = FHIRBulkManifest(
            transactionTime: started, request: request, requiresAccessToken: true, output: output, error: [],
            extension: .init(
                generatedBy: actor.label, selection: plan.selection, projectStablePseudonyms: plan.deidentifier.projectStable,
                software: ExportManifest.softwareVersion, deidentification: Self.deidentification, files: files))
        try await counting.writeManifest(manifest)
        sink = counting.inner
        return manifest
    }

    static let deidentification =
        "Patients carry no name, MRN, contact details or birth date: sex and a five-year age band at their first "
        + "selected course (90+) only, marked PSEUDED in meta.security; ids replaced by HMAC-SHA-256 pseudonyms under a key used for this "
        + "export only (unless project-stable), the same as the CSV export's under the same key; dates shifted by a per-patient offset "
        + "of up to ±180 days; no free text; voided records left out."

    /// The resource queries with the base URI and block rule bound into `query`.
    private func queries(_ query: inout QueryBuilder, identity: FHIRIdentity, rules: ClinicalRules.Block) -> FHIRQueries {
        FHIRQueries(
            identity: identity, base: query.bind(FHIRQueries.escaped(systemBase)), threshold: query.bind(rules.positiveReliefPercent),
            window: (query.bind(rules.assessmentWindowMinutes.minimum), query.bind(rules.assessmentWindowMinutes.maximum)))
    }
}
