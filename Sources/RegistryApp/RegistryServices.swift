import Foundation
import RegistryCore
import RegistryStore
import RegistryWeb

/// What every handler needs: the repositories, the configuration and the clock.
struct RegistryServices: Sendable {
    let repositories: Repositories
    let pages: Pages
    let metrics: RegistryMetrics
    let config: RegistryConfig
    /// Injected so tests can fix "today"; the server passes the real clock.
    let now: @Sendable () -> Date

    func validationContext() -> ValidationContext { ValidationContext(config: config, now: now()) }
}
