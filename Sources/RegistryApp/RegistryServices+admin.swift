import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore

extension RegistryServices {
    /// Admin routes: the audit trail and the list of users.
    var adminRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("audit") { request, context in
            _ = try context.require(.readAudit)
            let query = try AuditQuery.parse(recordId: request.query("recordId"), username: request.query("user"), from: request.query("from"),
                                             to: request.query("to"), before: request.query("before"), limit: request.query("limit"))
            let entries = try await repositories.audit.entries(query)
            var page: [String: Any] = ["items": entries.map(\.json)]
            if entries.count == query.limit, let last = entries.last { page["nextBefore"] = last.id }
            return JSONResponse.make(status: .ok, data: try JSONSerialization.data(withJSONObject: page, options: [.sortedKeys]))
        }
        api.get("users") { _, context in
            _ = try context.require(.manageUsers)
            let users = try await repositories.accounts.users()
            return JSONResponse.make(status: .ok, ["items": users])
        }
        return api
    }
}
