import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryCore
import RegistryStore

extension RegistryServices {
    /// Research exports: one table as CSV, or everything (with codebook and manifest) as a zip.
    /// Both stream as they read: memory stays flat and the first bytes leave at once.
    var exportRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("exports/:file") { request, context in
            let principal = try context.require(.export)
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".csv"), let table = ExportTable(rawValue: String(file.dropLast(4))) else {
                throw StoreError.notFound("export \(file); tables: \(ExportTable.allCases.map(\.fileName).joined(separator: ", "))")
            }
            let plan = try exportPlan(request, principal)
            let exports = repositories.exports, actor = principal.actor("GET /api/v1/exports/\(file)"), metrics = metrics
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8; header=present",
                                                   .contentDisposition: "attachment; filename=\"\(table.fileName)\""],
                            body: ResponseBody { writer in
                                var bytes = 0
                                let rows = try await exports.table(table, plan: plan, by: actor) { chunk in
                                    bytes += chunk.readableBytes
                                    try await writer.write(chunk)
                                }
                                try await writer.finish(nil)
                                metrics.exported(rows: rows, bytes: bytes)
                            })
        }
        api.get("exports.zip") { request, context in
            let principal = try context.require(.export)
            let plan = try exportPlan(request, principal)
            let exports = repositories.exports, actor = principal.actor("GET /api/v1/exports.zip"), metrics = metrics
            return Response(status: .ok, headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"scn-registry-export.zip\""],
                            body: ResponseBody { writer in
                                // The zip stream keeps its output for the whole response; the box lends it the writer.
                                let box = WriterBox(writer)
                                var zip = ZipStream { try await box.writer.write($0) }
                                let manifest = try await exports.everything(plan, by: actor, to: &zip)
                                try await zip.finish()
                                try await box.writer.finish(nil)
                                metrics.exported(rows: manifest.files.compactMap(\.rows).reduce(0, +), bytes: manifest.files.map(\.bytes).reduce(0, +))
                            })
        }
        return api
    }

    /// The export's selection from query parameters, scoped to a manager's own sites.
    func exportPlan(_ request: Request, _ principal: Principal) throws -> ExportPlan {
        try ExportPlan.parse(siteId: request.query("siteId"), from: request.query("from"), to: request.query("to"), cohort: request.query("cohort"),
                             procedureKind: request.query("procedureKind"), dates: request.query("dates"), scope: principal.siteScope, config: config)
    }
}

/// Holds a response body writer so a stored closure can write to it. Used by one task only.
final class WriterBox: @unchecked Sendable {
    var writer: any ResponseBodyWriter
    init(_ writer: any ResponseBodyWriter) { self.writer = writer }
}
