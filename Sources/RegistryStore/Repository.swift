import Logging

/// What every repository reads and writes through: the registry's pool. Each area's SQL lives
/// with its repository; what they all share (audit rows, idempotent writes, the history stream)
/// is an extension of this protocol.
protocol Repository: Sendable {
    var database: RegistryDatabase { get }
}

extension Repository {
    var logger: Logger { database.logger }
}
