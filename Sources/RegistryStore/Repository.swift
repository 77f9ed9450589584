import Logging

/// What every repository reads and writes through: the registry's pool, logger and shared SQL
/// (audit rows, history stream, timeline), so each area's SQL lives with its repository.
protocol Repository: Sendable {
    var registry: Registry { get }
}

extension Repository {
    var database: RegistryDatabase { registry.database }
    var logger: Logger { registry.logger }
}
