import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RegistryAPI
import RegistryCore
import RegistryStore
import RegistryWeb
import ServiceLifecycle

/// Builds the registry's HTTP application: the routes, the error middleware, and the database
/// client, the audit sealer and (when enabled) the follow-up outbox as services so they start and stop with the server, each
/// given a bound to stop in (`BoundedStop`). Tests call this too.
public func buildApplication(
    config: RegistryConfig, database: RegistryDatabase, logger: Logger,
    now: @escaping @Sendable () -> Date = { Date() }
) throws -> some ApplicationProtocol {
    let metrics = RegistryMetrics()
    var database = database
    database.onLeaseWait = { metrics.poolWait($0) }
    let replica = try readReplica(config, logger: logger)
    let reads = ReadSource(primary: database, replica: replica, maxLagSeconds: config.database.replicaMaxLagSeconds, onRead: { metrics.read($0) })
    let repositories = Repositories(
        database: database, rules: config.clinical, followUp: config.followUp, outbox: config.outbox, timeZone: config.clinicTimeZone,
        credentialCacheSeconds: config.auth.credentialCacheSeconds,
        writeBoundSeconds: config.server.requestTimeoutSeconds, reads: reads)
    let edge = WebEdge(pages: try Pages(), config: config, metrics: metrics, accounts: repositories.accounts, drafts: repositories.drafts, now: now)
    let signIn = SignInController(edge: edge, accounts: repositories.accounts)
    let patients = PatientsController(edge: edge, repositories: repositories)
    let courses = CoursesController(edge: edge, repositories: repositories)
    let corrections = CorrectionsController(edge: edge, repositories: repositories)
    let reports = ReportsController(edge: edge, repositories: repositories), exports = ExportsController(edge: edge, repositories: repositories)
    let admin = AdminController(edge: edge, repositories: repositories), followUps = FollowUpsController(edge: edge, repositories: repositories)
    let outbox = OutboxController(edge: edge, repositories: repositories)
    let sender =
        config.outbox.enabled
        ? try FollowUpSender(outbox: repositories.outbox, config: config, client: .shared, now: now, logger: logger) : nil
    let fhir = FHIRController(
        fhir: FHIRRepository(database: database, reads: reads, systemBase: config.export.fhirSystemBase), config: config, metrics: metrics)
    let router = Router(context: RegistryRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware(logger: logger, browserPage: edge.errorPage))
    router.get("healthz") { _, _ in
        await repositories.databaseAnswers()
            ? JSONResponse.make(status: .ok, ["status": "ok"])
            : JSONResponse.make(status: .serviceUnavailable, ["status": "database unreachable"])
    }
    // Operators scrape from the host; a public bind keeps it private unless configured.
    if config.server.publicMetrics || ["127.0.0.1", "::1", "localhost"].contains(config.server.host) {
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.text)))
        }
    }
    let specification = try OpenAPIDocument.load()
    router.get("openapi.yaml") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: specification)))
    }
    router.addRoutes(signIn.routes)
    router.addRoutes(patients.pageRoutes)
    router.addRoutes(courses.pageRoutes)
    router.addRoutes(corrections.pageRoutes)
    router.addRoutes(reports.pageRoutes)
    router.addRoutes(exports.pageRoutes)
    router.addRoutes(admin.pageRoutes)
    router.addRoutes(followUps.pageRoutes)
    router.addRoutes(outbox.pageRoutes)
    // Every /api/v1 route needs a signed-in user or a bearer token.
    router.group("api/v1")
        .add(
            middleware: AuthMiddleware(
                accounts: repositories.accounts, idleMinutes: config.auth.sessionIdleMinutes, maxHours: config.auth.sessionMaxHours)
        )
        .addRoutes(patients.apiRoutes)
        .addRoutes(courses.apiRoutes)
        .addRoutes(corrections.apiRoutes)
        .addRoutes(reports.apiRoutes)
        .addRoutes(admin.apiRoutes)
        .addRoutes(exports.apiRoutes)
        .addRoutes(fhir.apiRoutes)
        .addRoutes(followUps.apiRoutes)
        .addRoutes(outbox.apiRoutes)
    return Application(
        responder: BoundedResponder(
            router.buildResponder(), config: config, onAbandon: { metrics.requestOutOfTime() },
            onBodyTimeout: { metrics.bodyTimeout() }),
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(config.server.idleTimeoutSeconds * 1000)))),
        configuration: ApplicationConfiguration(address: .hostname(config.server.host, port: config.server.port), serverName: "scn-registry"),
        services: [
            BoundedStop(database.client, within: .seconds(2))
        ] + (replica.map { [BoundedStop($0.client, within: .seconds(2))] } ?? [] as [any Service]) + [
            BoundedStop(AuditSealer(audit: repositories.audit, logger: logger), within: .seconds(2))
        ] + (sender.map { [BoundedStop($0, within: .seconds(2))] } ?? [] as [any Service]),
        logger: logger
    )
}

/// The pool of `database.replicaUrl`, when one is set: a streaming replica for reports, the
/// dashboard and exports (`ReadSource`).
private func readReplica(_ config: RegistryConfig, logger: Logger) throws -> RegistryDatabase? {
    guard !config.database.replicaUrl.isEmpty else { return nil }
    let url: DatabaseURL
    do {
        url = try DatabaseURL(config.database.replicaUrl)
    } catch {
        throw ConfigError("database.replicaUrl (REGISTRY_DATABASE_REPLICA_URL): \(error)")
    }
    return RegistryDatabase(url: url, poolSize: config.database.poolSize, statementTimeoutMs: config.database.statementTimeoutMs, logger: logger)
}
