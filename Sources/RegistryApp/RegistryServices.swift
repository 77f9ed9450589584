import Foundation
import Logging
import RegistryCore
import RegistryStore

/// What every handler needs: the repository, the configuration and the clock.
struct RegistryServices: Sendable {
    let registry: Registry
    let config: RegistryConfig
    /// Injected so tests can fix "today"; the server passes the real clock.
    let now: @Sendable () -> Date

    var logger: Logger { registry.logger }

    func validationContext() -> ValidationContext { ValidationContext(config: config, now: now()) }
}
