import Logging
import RegistryStore
import ServiceLifecycle

/// Seals the audit rows written since the last pass into the chain, every second, for as long
/// as the server runs, so writers never wait on the chain's head. A pass that fails (the
/// database restarting) is tried again on the next tick; several servers' sealers take turns.
struct AuditSealer: Service {
    let audit: AuditRepository
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await audit.seal()
                } catch {
                    logger.debug("audit rows not sealed yet", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
