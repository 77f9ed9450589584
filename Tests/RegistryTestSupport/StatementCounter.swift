import Logging
import Synchronization

/// Counts the statements the server completed a Bind for, from postgres-nio's trace of the
/// messages it receives.
public final class StatementCounter: LogHandler, @unchecked Sendable {
    private let count = Mutex(0)

    public init() {}

    /// A logger at trace level that counts into this.
    public var logger: Logger {
        var logger = Logger(label: "statements") { _ in self }
        logger.logLevel = .trace
        return logger
    }
    public var statements: Int { count.withLock { $0 } }
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt
    ) {
        if let received = metadata?["psql_message"], "\(received)".contains("bindComplete") {
            count.withLock { $0 += 1 }
        }
    }
}
