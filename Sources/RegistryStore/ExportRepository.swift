import Foundation
import RegistryCore

/// De-identified research exports.
public struct ExportRepository: Sendable {
    let registry: Registry

    /// One table as CSV text, in chunks, after auditing the export; one snapshot throughout.
    /// Returns the number of data rows.
    @discardableResult
    public func table(_ table: ExportTable, plan: ExportPlan, by actor: Actor, emit: (String) async throws -> Void) async throws -> Int {
        try await registry.auditExport(plan, tables: [table.rawValue], actor: actor)
        return try await registry.database.transaction { connection in
            try await registry.beginExport(plan, on: connection)
            return try await registry.exportTable(table, plan: plan, on: connection, emit: emit)
        }
    }

    /// Every table, the codebook, the scripts and the manifest, to `sink`.
    public func everything<Sink: ExportSink>(_ plan: ExportPlan, by actor: Actor, to sink: inout Sink,
                                             progress: (ExportTable, Int) -> Void = { _, _ in }) async throws -> ExportManifest {
        try await registry.exportAll(plan, actor: actor, to: &sink, progress: progress)
    }
}

/// Sign-in, sessions, tokens and users.
public struct AccountRepository: Sendable {
    let registry: Registry

    /// The active user a bearer token names. Every API request starts here, so the lookup is
    /// bounded: an unreachable database answers `StoreError.unavailable` within seconds.
    public func principal(forToken token: String) async throws -> Principal? {
        try await registry.database.answering { try await registry.principal(forToken: token) }
    }

    /// The active user of a web session that has not been idle too long (the same bound).
    public func principal(forSession token: String, idleMinutes: Int) async throws -> Principal? {
        try await registry.database.answering { try await registry.principal(forSession: token, idleMinutes: idleMinutes) }
    }

    /// Checks a password, with throttling; generous bound, since throttled attempts wait on purpose.
    public func login(username: String, password: String, address: String, rules: RegistryConfig.Auth) async throws -> LoginResult {
        try await registry.database.answering(within: 20) { try await registry.login(username: username, password: password, address: address, rules: rules) }
    }

    public func logout(sessionToken: String) async throws {
        try await registry.logout(sessionToken: sessionToken)
    }

    public func users() async throws -> [UserRecord] {
        try await registry.database.withConnection { try await registry.users(on: $0) }
    }
}

/// The append-only audit trail.
public struct AuditRepository: Sendable {
    let registry: Registry

    public func entries(_ query: AuditQuery) async throws -> [AuditEntry] {
        try await registry.database.withConnection { try await registry.audit(query, on: $0) }
    }
}
