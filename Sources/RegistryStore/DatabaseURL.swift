import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database` address.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `sslmode=require` asks for TLS; anything else prefers plain TCP on loopback.
    public var requireTLS: Bool

    public init(host: String, port: Int, username: String, password: String?, database: String, requireTLS: Bool = false) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw StoreError.configuration("DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw StoreError.configuration("DATABASE_URL names no database (the part after the last /)")
        }
        self.init(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database,
            requireTLS: components.queryItems?.contains { $0.name == "sslmode" && $0.value == "require" } ?? false)
    }

    /// The same server, another database.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The address with the password masked, safe to print and log.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    public var isLocal: Bool { ["localhost", "127.0.0.1", "::1"].contains(host) }

    /// Every session gets `statement_timeout`: postgres-nio has no per-query timeout, and a
    /// runaway query must not hold a connection forever.
    func clientConfiguration(poolSize: Int, statementTimeoutMs: Int = 30000) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = poolSize
        configuration.options.additionalStartupParameters = [("statement_timeout", "\(statementTimeoutMs)")]
        return configuration
    }
}
