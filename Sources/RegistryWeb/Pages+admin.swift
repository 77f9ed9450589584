import Foundation
import RegistryCore

/// The admin's pages: accounts, API tokens and the audit trail.
extension Pages {
    /// A moment as the admin pages show it: minutes, UTC.
    static func moment(_ date: Date?) -> String {
        guard let date else { return "–" }
        return date.formatted(
            Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateTimeSeparator(.space).time(includingFractionalSeconds: false)
        )
        .dropLast(3) + " UTC"
    }

    /// `csrf` signs each row's disable button; `selfId` is the admin, who cannot disable themself here.
    /// `outbox` says which follow-up channels can send, beside the accounts.
    public func adminUsers(
        _ language: Language, viewer: Viewer, users: [UserRecord], sites: [SiteRecord], form: FilledForm, csrf: String,
        selfId: UUID, outbox: RegistryConfig.Outbox
    ) throws -> String {
        let codes = Dictionary(uniqueKeysWithValues: sites.map { ($0.id, $0.code) })
        let on = outbox.configuredChannels
        return try render(
            "admin-users", language,
            [
                "outboxOff": !outbox.enabled,
                "channels": ContactChannel.allCases.map { channel in
                    [
                        "name": catalogue.text("channel_" + channel.rawValue, language),
                        "state": catalogue.text(on.contains(channel) && outbox.enabled ? "outboxChannelOn" : "outboxChannelOff", language),
                    ]
                },
                "title": catalogue.text("usersTitle", language), "viewer": viewer, "form": formValues(form, language), "csrf": csrf,
                "siteCodes": sites.map(\.code).joined(separator: ", "),
                "users": users.map { user in
                    [
                        "username": user.username, "name": user.displayName, "role": catalogue.text("role_" + user.role.rawValue, language),
                        "sites": user.siteIds.compactMap { codes[$0] }.sorted().joined(separator: ", "), "active": user.active,
                        "state": catalogue.text(user.active ? "stateActive" : "stateDisabled", language),
                        "canDisable": user.active && user.id != selfId,
                    ] as [String: Any]
                },
            ])
    }

    /// `issued` is a token just made: shown this once.
    public func adminTokens(
        _ language: Language, viewer: Viewer, tokens: [TokenRecord], form: FilledForm, csrf: String,
        issued: (token: String, username: String, expires: Date)? = nil
    ) throws -> String {
        var values: [String: Any] = [
            "title": catalogue.text("tokensTitle", language), "viewer": viewer, "form": formValues(form, language), "csrf": csrf,
            "tokens": tokens.map { token in
                let state = token.revokedAt != nil ? "stateRevoked" : token.expiresAt < Date() ? "stateExpired" : "stateActive"
                return [
                    "id": token.id.uuidString.lowercased(), "username": token.username, "label": token.label, "created": Self.moment(token.createdAt),
                    "expires": Self.moment(token.expiresAt), "lastUsed": Self.moment(token.lastUsedAt), "state": catalogue.text(state, language),
                    "revocable": state == "stateActive",
                ] as [String: Any]
            },
        ]
        if let issued {
            values["issued"] = ["token": issued.token, "username": issued.username, "expires": Self.moment(issued.expires)]
            values["showsSecretOnce"] = true
        }
        return try render("admin-tokens", language, values)
    }

    /// `chain`: what verifying the hash chain found, when asked for.
    public func adminAudit(
        _ language: Language, viewer: Viewer, entries: [AuditEntry], filter: FilledForm, next: String?,
        chain: AuditChainReport? = nil
    ) throws -> String {
        try render(
            "admin-audit", language,
            [
                "title": catalogue.text("auditTitle", language), "viewer": viewer, "filter": formValues(filter, language), "next": next ?? false,
                "chain": chain.map { chain in
                    [
                        "intact": chain.intact,
                        "message": chain.intact
                            ? catalogue.text("auditChainIntact", language, ["n": String(chain.verified)])
                            : catalogue.text("auditChainBroken", language, ["n": String(chain.verified), "problem": chain.firstBreak ?? ""]),
                        // The head is a hash, shown as code: what an admin records to compare later.
                        "head": chain.intact ? chain.head.anchor : false,
                    ]
                } ?? false,
                "entries": entries.map { auditRow($0, language) },
                "empty": entries.isEmpty,
            ])
    }

    private func auditRow(_ entry: AuditEntry, _ language: Language) -> [String: Any] {
        let changes = Self.changes(before: entry.before, after: entry.after)
        // The action in the page's language; one the catalogue does not know stays as stored.
        let action = catalogue.strings[language]?["auditAction_" + entry.action] ?? entry.action
        // The registry's own actors in the page's language; a user by their username.
        let actor =
            entry.actor.hasPrefix(Actor.patientLinkLabel)
            ? catalogue.text("actorPatientLink", language, ["link": String(entry.actor.dropFirst(Actor.patientLinkLabel.count).prefix(8))])
            : entry.actor == Actor.outboxLabel ? catalogue.text("actorOutbox", language) : entry.actor
        return [
            "at": Self.moment(entry.at), "actor": actor, "action": action, "route": entry.route, "table": entry.recordTable ?? false,
            "recordId": entry.recordId?.uuidString.lowercased() ?? false, "changes": changes, "hasChanges": !changes.isEmpty,
        ]
    }

    /// Before and after side by side, field by field, the changed ones marked.
    static func changes(before: String?, after: String?) -> [[String: Any]] {
        func object(_ text: String?) -> [String: Any] {
            text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        }
        func show(_ value: Any?) -> String {
            guard let value, !(value is NSNull) else { return "–" }
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
                return String(decoding: data, as: UTF8.self)
            }
            return "\(value)"
        }
        let old = object(before), new = object(after)
        return Set(old.keys).union(new.keys).sorted().map { key in
            let was = show(old[key]), now = show(new[key])
            return [
                "field": key, "before": before == nil ? "" : was, "after": after == nil ? "" : now,
                "changed": before != nil && after != nil && was != now,
            ]
        }
    }
}
