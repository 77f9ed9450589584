import Foundation
import PostgresNIO
import RegistryCore

/// Consent to be contacted: recorded by a clinician, ended by the patient from any message's
/// link (no account needed) or by a clinician. Audited without the addresses, which are identity.
extension OutboxRepository {
    /// The patient's consent; `.some(nil)` when none was recorded, nil when the patient is absent
    /// or at another site.
    public func contact(patientId: UUID, scope: Set<UUID>?) async throws -> FollowUpContact?? {
        try await database.withConnection { connection in
            guard try await patient(patientId, scope: scope, on: connection) != nil else { return nil }
            return .some(try await contacts(patientIds: [patientId], on: connection)[patientId])
        }
    }

    /// Records (or replaces) the patient's consent, ending an earlier opt-out.
    public func setContact(_ contact: FollowUpContact, patientId: UUID, scope: Set<UUID>?, by actor: Actor) async throws {
        try await database.transaction { connection in
            guard try await patient(patientId, scope: scope, on: connection) != nil else { throw StoreError.notFound("patient \(patientId)") }
            let existed =
                try await connection.query(
                    """
                    INSERT INTO follow_up_contacts AS f (patient_id, channels, line_user_id, consented_on, consent_how)
                    VALUES (\(patientId), \(contact.channels.map(\.rawValue)), \(contact.lineUserId), \(contact.consentedOn.description)::date,
                            \(contact.consentHow.rawValue))
                    ON CONFLICT (patient_id) DO UPDATE SET channels = excluded.channels, line_user_id = excluded.line_user_id,
                        consented_on = excluded.consented_on, consent_how = excluded.consent_how, opted_out_at = NULL, updated_at = now()
                    RETURNING (xmax <> 0)
                    """, logger: logger
                ).decode(Bool.self).first { _ in true } ?? false
            try await auditConsent(existed ? "correct" : "create", patientId: patientId, contact: contact, actor: actor, on: connection)
        }
    }

    /// Stops every message to the patient; false when they had opted out already or never consented.
    @discardableResult
    public func optOut(patientId: UUID, scope: Set<UUID>?, by actor: Actor) async throws -> Bool {
        try await database.transaction { connection in
            guard try await patient(patientId, scope: scope, on: connection) != nil else { throw StoreError.notFound("patient \(patientId)") }
            return try await optOut(patientId, actor: actor, on: connection)
        }
    }

    /// The patient's own opt-out, from the link of any message they were sent, expired or not:
    /// the clinic's name, or nil for a token that was never issued.
    public func optOut(token: String) async throws -> String? {
        try await database.transaction { connection in
            guard let link = try await linkOfMessages(token, on: connection) else { return nil }
            try await optOut(link.patientId, actor: Actor.patientLink(link.id, route: "POST /f/{token}/stop"), on: connection)
            return link.clinic
        }
    }

    /// Whether the patient of the link (expired or not) has stopped the messages, and the clinic's
    /// name; nil for a token that was never issued.
    public func optOutState(token: String) async throws -> (clinic: String, optedOut: Bool)? {
        try await database.withConnection { connection in
            try await linkOfMessages(token, on: connection).map { ($0.clinic, $0.optedOut) }
        }
    }

    private func linkOfMessages(
        _ token: String, on connection: PostgresConnection
    ) async throws -> (id: UUID, patientId: UUID, clinic: String, optedOut: Bool)? {
        try await connection.query(
            """
            SELECT l.id, c.patient_id, s.name, f.opted_out_at IS NOT NULL FROM follow_up_links l
            JOIN treatment_courses c ON c.id = l.course_id JOIN sites s ON s.id = c.site_id
            LEFT JOIN follow_up_contacts f ON f.patient_id = c.patient_id WHERE l.token_hash = \(Secret.hash(token))
            """, logger: logger
        ).decode((UUID, UUID, String, Bool).self).first { _ in true }.map { ($0.0, $0.1, $0.2, $0.3) }
    }

    private func optOut(_ patientId: UUID, actor: Actor, on connection: PostgresConnection) async throws -> Bool {
        let stopped =
            try await connection.query(
                """
                UPDATE follow_up_contacts SET opted_out_at = now(), updated_at = now()
                WHERE patient_id = \(patientId) AND opted_out_at IS NULL RETURNING 1
                """,
                logger: logger
            ).decode(Int.self).first { _ in true } != nil
        if stopped {
            try await auditAction(
                "void", actor: actor, details: "{\"follow_up_contact\":\"\(patientId.uuidString.lowercased())\",\"optedOut\":true}", on: connection)
        }
        return stopped
    }

    private func auditConsent(
        _ action: String, patientId: UUID, contact: FollowUpContact, actor: Actor, on connection: PostgresConnection
    )
        async throws
    {
        let details: [String: Any] = [
            "follow_up_contact": patientId.uuidString.lowercased(), "channels": contact.channels.map(\.rawValue),
            "consentedOn": contact.consentedOn.description, "consentHow": contact.consentHow.rawValue,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: details, options: .sortedKeys), as: UTF8.self)
        try await auditAction(action, actor: actor, details: json, on: connection)
    }

    func contacts(patientIds: [UUID], on connection: PostgresConnection) async throws -> [UUID: FollowUpContact] {
        var contacts: [UUID: FollowUpContact] = [:]
        var query = QueryBuilder("SELECT f.patient_id, \(ContactColumns.sql) FROM follow_up_contacts f WHERE f.patient_id = ANY(")
        query.add("\(query.bind(Array(Set(patientIds)))))")
        let rows = try await connection.query(query.query, logger: logger)
        for try await row in rows {
            let cells = row.makeRandomAccess()
            contacts[try cells[0].decode(UUID.self)] = try ContactColumns.decode(cells, from: 1)
        }
        return contacts
    }
}

/// A patient's consent's columns, read and decoded in one place (the outbox, the patient's page).
enum ContactColumns {
    /// On alias `f` (follow_up_contacts).
    static let sql = "f.channels, f.line_user_id, f.consented_on::text, f.consent_how, f.opted_out_at"

    /// The consent in the columns from `start`; nil when they are NULL (an outer join found none).
    static func decode(_ cells: PostgresRandomAccessRow, from start: Int) throws -> FollowUpContact? {
        guard cells[start].bytes != nil else { return nil }
        return FollowUpContact(
            channels: try cells[start].decode([String].self).map { try coded($0) }, lineUserId: try cells[start + 1].decode(String?.self),
            consentedOn: try cells[start + 2].decode(CalendarDate.self), consentHow: try cells[start + 3].decode(ConsentHow.self),
            optedOutAt: try cells[start + 4].decode(Date?.self))
    }
}
