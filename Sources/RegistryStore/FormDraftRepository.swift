import Foundation
import PostgresNIO

/// Forms kept between a POST whose rules were broken and the page that shows them again
/// (`Schema/0022_form_drafts.sql`): each belongs to the session that posted it and the form it
/// came from, and lives an hour.
public struct FormDraftRepository: Repository {
    let database: RegistryDatabase
    static let draftLifetime = "1 hour"

    public init(database: RegistryDatabase) { self.database = database }

    /// Keeps `state` (the App's JSON of the form as posted, with its problems) for the session of
    /// `sessionToken`, and forgets drafts past their hour while at it.
    public func keepDraft(_ state: String, action: String, sessionToken: String) async throws -> UUID {
        let id = UUID()
        try await database.withConnection { connection in
            try await connection.run(
                """
                WITH expired AS (DELETE FROM form_drafts WHERE created_at < now() - \(Self.draftLifetime)::interval)
                INSERT INTO form_drafts (id, session_hash, action, state) VALUES (\(id), \(Secret.hash(sessionToken)), \(action), \(state)::jsonb)
                """, logger)
        }
        return id
    }

    /// The state kept as `id` for this session's form `action`; nil when there is none (another
    /// session's, another form's, past its hour, or the session has ended).
    public func draft(_ id: UUID, action: String, sessionToken: String) async throws -> String? {
        try await database.withConnection { connection in
            try await connection.query(
                """
                SELECT d.state::text FROM form_drafts d JOIN web_sessions s ON s.id_hash = d.session_hash
                WHERE d.id = \(id) AND d.session_hash = \(Secret.hash(sessionToken)) AND d.action = \(action)
                  AND d.created_at >= now() - \(Self.draftLifetime)::interval AND s.ended_at IS NULL
                """, logger: logger
            ).decode(String.self).first { _ in true }
        }
    }
}
