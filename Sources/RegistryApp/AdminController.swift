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
    let services: RegistryServices

    /// Admin routes: the audit trail and the list of users.
    var apiRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("audit") { request, context in
            let principal = try context.require(.readAudit)
            let query = try AuditQuery.parse(
                recordId: request.query("recordId"), username: request.query("user"), from: request.query("from"),
                to: request.query("to"), before: request.query("before"), limit: request.query("limit"))
            let entries = try await services.repositories.audit.entries(query, identities: principal.may(.readIdentity))
            var page: [String: Any] = ["items": entries.map(\.json)]
            if entries.count == query.limit, let last = entries.last { page["nextBefore"] = last.id }
            return JSONResponse.make(status: .ok, data: try JSONSerialization.data(withJSONObject: page, options: [.sortedKeys]))
        }
        // Walks the whole hash chain: every row recomputed in one snapshot.
        api.get("audit/verify") { _, context in
            _ = try context.require(.readAudit)
            let report = try await services.repositories.audit.verifyChain()
            return JSONResponse.make(status: .ok, data: try JSONSerialization.data(withJSONObject: report.json, options: [.sortedKeys]))
        }
        api.get("users") { _, context in
            _ = try context.require(.manageUsers)
            let users = try await services.repositories.accounts.users()
            return JSONResponse.make(status: .ok, ["items": users])
        }
        return api
    }

    /// The pages under /admin.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("admin/users") { request, _ in
            try await services.page(request, needs: .manageUsers) { principal, language in
                try await services.show(try await usersForm(principal, language, request), principal, request, needs: .manageUsers)
            }
        }
        routes.post("admin/users") { request, _ in
            try await services.page(request, needs: .manageUsers) { principal, language in
                try await services.submit(try await usersForm(principal, language, request), principal, request, needs: .manageUsers) { values, _ in
                    let user = try decodeInput(UserInput.self, from: values).validated()
                    _ = try await services.repositories.accounts.addUser(
                        username: user.username, displayName: user.displayName, role: user.role,
                        siteCodes: user.siteCodes, password: user.password, rules: services.config.auth,
                        actor: principal.actor("POST /admin/users"))
                    return "/admin/users"
                }
            }
        }
        routes.post("admin/users/:username/disable") { request, context in
            try await services.page(request, needs: .manageUsers) { principal, _ in
                try await services.checkCSRF(request)
                let username = context.parameters.get("username") ?? ""
                guard username != principal.username else { throw PageRefusal.done(location: "/admin/users") }
                try await services.repositories.accounts.disableUser(
                    username: username, actor: principal.actor("POST /admin/users/{username}/disable"))
                throw PageRefusal.done(location: "/admin/users")
            }
        }
        routes.get("admin/tokens") { request, _ in
            try await services.page(request, needs: .manageUsers) { principal, language in
                try await services.show(
                    try await tokensForm(principal, language, request), principal, request, values: ["days": "90"], needs: .manageUsers)
            }
        }
        routes.post("admin/tokens") { request, _ in
            try await services.page(request, needs: .manageUsers) { principal, language in
                try await services.submit(try await tokensForm(principal, language, request), principal, request, needs: .manageUsers) { values, _ in
                    let input = try decodeInput(TokenInput.self, from: values).validated()
                    // A token acts as its owner, and the trail names only the owner: a token for
                    // someone else would let an admin read identities and write records in their
                    // name. Other accounts' tokens come from `registry user token` on the server.
                    guard input.username == principal.username else {
                        throw ValidationFailure(
                            field: "username", rule: "own_account",
                            message: "a token can be issued here only for your own account; ask the operator to run `registry user token` for another"
                        )
                    }
                    let issued = try await services.repositories.accounts.issueToken(
                        username: input.username, label: input.label, days: input.days,
                        actor: principal.actor("POST /admin/tokens"))
                    // Shown on this answer only: it is not stored, and a reload does not resend it (no-store).
                    throw PageRefusal.shown(
                        try services.pages.adminTokens(
                            language, viewer: services.viewer(principal), tokens: try await services.repositories.accounts.tokens(),
                            form: try await freshTokensForm(principal, language, request), csrf: services.csrfToken(request),
                            issued: (issued.token, input.username, issued.expires)))
                }
            }
        }
        routes.post("admin/tokens/:id/revoke") { request, context in
            try await services.page(request, needs: .manageUsers) { principal, _ in
                try await services.checkCSRF(request)
                try await services.repositories.accounts.revokeToken(
                    id: try context.pathId("token"), actor: principal.actor("POST /admin/tokens/{id}/revoke"))
                throw PageRefusal.done(location: "/admin/tokens")
            }
        }
        routes.get("admin/audit") { request, _ in
            try await services.page(request, needs: .readAudit) { principal, language in
                let values = request.filledQuery(["recordId", "user", "from", "to", "before"])
                let users = userChoices(try await services.repositories.accounts.users())
                var form = FilledForm(
                    spec: .auditFilter(users: users), action: "/admin/audit", csrf: "", idempotencyKey: "",
                    values: values.filter { $0.key != "before" }, method: "get", submitKey: "apply")
                do {
                    // "to" on the page includes its day.
                    let to = values["to"].flatMap { CalendarDate(iso: $0) }.map { $0.adding(days: 1).description } ?? values["to"]
                    let query = try AuditQuery.parse(
                        recordId: values["recordId"], username: values["user"], from: values["from"], to: to,
                        before: values["before"], limit: "50")
                    let entries = try await services.repositories.audit.entries(query, identities: principal.may(.readIdentity))
                    var older = values
                    older["before"] = entries.last.map { String($0.id) }
                    let chain = request.query("verify") == nil ? nil : try await services.repositories.audit.verifyChain()
                    return try services.pages.adminAudit(
                        language, viewer: services.viewer(principal), entries: entries, filter: form,
                        next: entries.count == query.limit ? "/admin/audit\(queryString(older))" : nil, chain: chain)
                } catch let failure as ValidationFailure {
                    form.problems = failure.problems
                    throw PageRefusal.invalid(
                        try services.pages.adminAudit(language, viewer: services.viewer(principal), entries: [], filter: form, next: nil))
                }
            }
        }
        return routes
    }

    private func usersForm(_ principal: Principal, _ language: Language, _ request: Request) async throws -> PageForm {
        let users = try await services.repositories.accounts.users(), sites = try await services.repositories.accounts.sites()
        return PageForm(spec: .user, action: "/admin/users") { form in
            try services.pages.adminUsers(
                language, viewer: services.viewer(principal), users: users, sites: sites, form: form, csrf: services.csrfToken(request),
                selfId: principal.userId)
        }
    }

    private func tokensForm(_ principal: Principal, _ language: Language, _ request: Request) async throws -> PageForm {
        let users = try await services.repositories.accounts.users().filter { $0.active && $0.id == principal.userId }
        let tokens = try await services.repositories.accounts.tokens()
        return PageForm(spec: .token(users: userChoices(users)), action: "/admin/tokens") { form in
            try services.pages.adminTokens(
                language, viewer: services.viewer(principal), tokens: tokens, form: form, csrf: services.csrfToken(request))
        }
    }

    /// Users as a form's choices: the username, shown with the display name.
    private func userChoices(_ users: [UserRecord]) -> [(value: String, label: String)] {
        users.map { ($0.username, "\($0.username) (\($0.displayName))") }
    }

    /// A blank token form for the page that shows a token just issued.
    private func freshTokensForm(_ principal: Principal, _ language: Language, _ request: Request) async throws -> FilledForm {
        let form = try await tokensForm(principal, language, request)
        return FilledForm(
            spec: form.spec, action: form.action, csrf: services.csrfToken(request), idempotencyKey: UUID().uuidString, values: ["days": "90"])
    }
}
