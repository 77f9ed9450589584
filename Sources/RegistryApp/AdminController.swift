import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// The admin's API (the audit trail, the users) and pages: accounts (list, add with role and
/// sites, disable), API tokens (issue with expiry, shown once; list; revoke) and the audit trail
/// (by record, user and dates, each change's before and after side by side). Every change is
/// audited by the repository.
struct AdminController {
    let edge: WebEdge
    let repositories: Repositories

    /// Admin routes: the audit trail and the list of users.
    var apiRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("audit", use: auditTrail)
        // Walks the whole hash chain: every row recomputed in one snapshot.
        api.get("audit/verify", use: verifyAuditChain)
        api.get("users", use: listUsers)
        return api
    }

    /// The pages under /admin.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("admin/users", use: usersPage)
        routes.post("admin/users", use: addUser)
        routes.post("admin/users/:username/disable", use: disableUser)
        routes.get("admin/tokens", use: tokensPage)
        routes.post("admin/tokens", use: issueToken)
        routes.post("admin/tokens/:id/revoke", use: revokeToken)
        routes.get("admin/audit", use: auditPage)
        return routes
    }

    private func usersForm(_ principal: Principal, _ language: Language, _ request: Request) async throws -> PageForm {
        let users = try await repositories.accounts.users(), sites = try await repositories.accounts.sites()
        return PageForm(spec: .user, action: Paths.users) { form in
            try edge.pages.adminUsers(
                language, viewer: edge.viewer(principal, request), users: users, sites: sites, form: form, csrf: CSRF.token(for: request),
                selfId: principal.userId, outbox: edge.config.outbox)
        }
    }

    /// `shownOnce`: a token just issued (`id.token`, from `ShownOnceCookie.apiToken`), shown
    /// above the list when it is the user's own.
    private func tokensForm(_ principal: Principal, _ language: Language, _ request: Request, shownOnce: String? = nil) async throws -> PageForm {
        let users = try await repositories.accounts.users().filter { $0.active && $0.id == principal.userId }
        let tokens = try await repositories.accounts.tokens()
        let parts = shownOnce?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
        let issued = parts.count == 2 ? tokens.first { $0.id == UUID(uuidString: parts[0]) && $0.username == principal.username } : nil
        return PageForm(spec: .token(users: userChoices(users)), action: Paths.tokens) { form in
            try edge.pages.adminTokens(
                language, viewer: edge.viewer(principal, request), tokens: tokens, form: form, csrf: CSRF.token(for: request),
                issued: issued.map { (parts[1], $0.username, $0.expiresAt) })
        }
    }

    /// Users as a form's choices: the username, shown with the display name.
    private func userChoices(_ users: [UserRecord]) -> [(value: String, label: String)] {
        users.map { ($0.username, "\($0.username) (\($0.displayName))") }
    }

    /// A blank token form for the page that shows a token just issued.
    @Sendable func auditTrail(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readAudit)
        let query = try AuditQuery.parse(
            recordId: request.query("recordId"), username: request.query("user"), from: request.query("from"),
            to: request.query("to"), before: request.query("before"), limit: request.query("limit"))
        let entries = try await repositories.audit.entries(query, identities: principal.may(.readIdentity))
        var page: [String: Any] = ["items": entries.map(\.json)]
        if entries.count == query.limit, let last = entries.last { page["nextBefore"] = last.id }
        return JSONResponse.make(status: .ok, data: try JSONSerialization.data(withJSONObject: page, options: [.sortedKeys]))
    }

    @Sendable func verifyAuditChain(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        _ = try context.require(.readAudit)
        let report = try await repositories.audit.verifyChain()
        return JSONResponse.make(status: .ok, data: try JSONSerialization.data(withJSONObject: report.json, options: [.sortedKeys]))
    }

    @Sendable func listUsers(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        _ = try context.require(.manageUsers)
        let users = try await repositories.accounts.users()
        return JSONResponse.make(status: .ok, ["items": users])
    }

    @Sendable func usersPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request, needs: .manageUsers) { principal, language in
            try await edge.show(try await usersForm(principal, language, request), principal, request, needs: .manageUsers)
        }
    }

    @Sendable func addUser(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request, needs: .manageUsers) { principal, language in
            try await edge.submit(
                try await usersForm(principal, language, request), principal, request, needs: .manageUsers,
                validate: { try decodeInput(UserInput.self, from: $0).validated() }
            ) { user, _ in
                _ = try await repositories.accounts.addUser(
                    username: user.username, displayName: user.displayName, role: user.role,
                    siteCodes: user.siteCodes, password: user.password, rules: edge.config.auth,
                    actor: context.actor(principal, request))
                return .redirect(Paths.users)
            }
        }
    }

    @Sendable func disableUser(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request, needs: .manageUsers) { principal, _ in
            try await CSRF.check(request)
            let username = context.parameters.get("username") ?? ""
            guard username != principal.username else { return .redirect(Paths.users) }
            try await repositories.accounts.disableUser(
                username: username, actor: context.actor(principal, request))
            return .redirect(Paths.users)
        }
    }

    @Sendable func tokensPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request, needs: .manageUsers) { principal, language in
            let shownOnce = ShownOnceCookie.apiToken.value(in: request)
            let page = try await edge.show(
                try await tokensForm(principal, language, request, shownOnce: shownOnce), principal, request, values: ["days": "90"],
                needs: .manageUsers)
            return .page(page, cookies: shownOnce == nil ? [] : [ShownOnceCookie.apiToken.cleared])
        }
    }

    @Sendable func issueToken(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request, needs: .manageUsers) { principal, language in
            try await edge.submit(
                try await tokensForm(principal, language, request), principal, request, needs: .manageUsers,
                validate: { try decodeInput(TokenInput.self, from: $0).validated() }
            ) { input, _ in
                // A token acts as its owner, and the trail names only the owner: a token for
                // someone else would let an admin read identities and write records in their
                // name. Other accounts' tokens come from `registry user token` on the server.
                guard input.username == principal.username else {
                    throw ValidationFailure(
                        field: "username", rule: "own_account",
                        message: "a token can be issued here only for your own account; ask the operator to run `registry user token` for another"
                    )
                }
                let issued = try await repositories.accounts.issueToken(
                    username: input.username, label: input.label, days: input.days,
                    actor: context.actor(principal, request))
                let shownOnce = issued.id.uuidString.lowercased() + "." + issued.token
                return .redirect(Paths.tokens, cookies: [edge.carrying(shownOnce, in: .apiToken, for: request)])
            }
        }
    }

    @Sendable func revokeToken(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request, needs: .manageUsers) { principal, _ in
            try await CSRF.check(request)
            try await repositories.accounts.revokeToken(
                id: try context.pathId("token"), actor: context.actor(principal, request))
            return .redirect(Paths.tokens)
        }
    }

    @Sendable func auditPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request, needs: .readAudit) { principal, language in
            let values = request.filledQuery(["recordId", "user", "from", "to", "before"])
            let users = userChoices(try await repositories.accounts.users())
            var form = FilledForm(
                spec: .auditFilter(users: users), action: Paths.audit, csrf: "", idempotencyKey: "",
                values: values.filter { $0.key != "before" }, method: "get", submitKey: "apply")
            do {
                // "to" on the page includes its day.
                let to = values["to"].flatMap { CalendarDate(iso: $0) }.map { $0.adding(days: 1).description } ?? values["to"]
                let query = try AuditQuery.parse(
                    recordId: values["recordId"], username: values["user"], from: values["from"], to: to,
                    before: values["before"], limit: "50")
                let entries = try await repositories.audit.entries(query, identities: principal.may(.readIdentity))
                var older = values
                older["before"] = entries.last.map { String($0.id) }
                let chain = request.query("verify") == nil ? nil : try await repositories.audit.verifyChain()
                return try edge.pages.adminAudit(
                    language, viewer: edge.viewer(principal, request), entries: entries, filter: form,
                    next: entries.count == query.limit ? "/admin/audit\(queryString(older))" : nil, chain: chain)
            } catch let failure as ValidationFailure {
                form.problems = failure.problems
                throw PageRefusal.invalid(
                    try edge.pages.adminAudit(language, viewer: edge.viewer(principal, request), entries: [], filter: form, next: nil))
            }
        }
    }

}
