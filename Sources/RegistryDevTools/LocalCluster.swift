import Foundation
import RegistryStore

/// A private PostgreSQL cluster in a folder of the checkout, for development and tests when no
/// `DATABASE_URL` is configured.
///
/// It uses Debian's server binaries, installing the `postgresql` package when they are missing
/// and we are root. `initdb` refuses to run as root, so as root the cluster belongs to the
/// `postgres` system user. It listens on 127.0.0.1 only, with a generated password kept in the
/// data folder's parent (mode 0600).
public struct LocalCluster: Sendable {
    public let root: URL
    public let port: Int
    public static let username = "registry"

    public init(root: URL, port: Int = 54329) {
        self.root = root
        self.port = port
    }

    /// `.data/` in the working directory, or `REGISTRY_DATA_DIR`.
    ///
    /// As root the cluster runs as `postgres`, which cannot enter a checkout under a private home
    /// folder; then the data lives in /var/tmp under a name derived from the checkout's path.
    public static func `default`(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        checkout: String = FileManager.default.currentDirectoryPath
    ) -> LocalCluster {
        let port = environment["REGISTRY_LOCAL_PG_PORT"].flatMap(Int.init) ?? 54329
        if let path = environment["REGISTRY_DATA_DIR"], !path.isEmpty {
            return LocalCluster(root: URL(fileURLWithPath: path), port: port)
        }
        var path = checkout + "/.data"
        if getuid() == 0, (try? run("/usr/sbin/runuser", ["-u", "postgres", "--", "test", "-x", checkout])) == nil {
            let digest = checkout.utf8.reduce(UInt32(5381)) { ($0 &* 33) ^ UInt32($1) }
            path = "/var/tmp/scn-registry-\(String(digest, radix: 16))"
        }
        return LocalCluster(root: URL(fileURLWithPath: path), port: port)
    }

    var dataDirectory: URL { root.appending(path: "postgres") }

    /// Whether the cluster has been created (it may be stopped).
    public var exists: Bool { FileManager.default.fileExists(atPath: dataDirectory.appending(path: "PG_VERSION").path) }
    var passwordFile: URL { root.appending(path: "postgres-password") }
    var logFile: URL { root.appending(path: "postgres.log") }

    /// Installs PostgreSQL if needed, creates the cluster once, starts it if stopped, and returns
    /// the address of `database` on it (creating the database is the caller's job: `DatabaseAdmin.createIfMissing`).
    public func start(database: String = "registry", progress: (String) -> Void = { _ in }) throws -> DatabaseURL {
        let binaries = try Self.serverBinaries(progress: progress)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot {
            try Self.run("/bin/chown", ["postgres:postgres", root.path])
        }
        if !exists {
            progress("creating a private PostgreSQL cluster in \(dataDirectory.path)")
            let password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            try Data(password.utf8).write(to: passwordFile)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile.path)
            if asRoot { try Self.run("/bin/chown", ["postgres:postgres", passwordFile.path]) }
            try runAsOwner(
                binaries.appending(path: "initdb").path,
                [
                    "-D", dataDirectory.path, "-U", Self.username, "--pwfile=\(passwordFile.path)",
                    "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                ], asRoot: asRoot)
        }
        let status = try? runAsOwner(binaries.appending(path: "pg_ctl").path, ["-D", dataDirectory.path, "status"], asRoot: asRoot)
        if status == nil {
            progress("starting PostgreSQL on 127.0.0.1:\(port)")
            try runAsOwner(
                binaries.appending(path: "pg_ctl").path,
                [
                    "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60",
                    "-o", "-p \(port) -k \(root.path) -c listen_addresses=127.0.0.1 -c max_connections=200", "start",
                ], asRoot: asRoot)
        }
        let password = try String(contentsOf: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return DatabaseURL(host: "127.0.0.1", port: port, username: Self.username, password: password, database: database)
    }

    /// A streaming replica of this running cluster in `root`, on `port`: copied once with
    /// `pg_basebackup -R` (which writes `primary_conninfo` and `standby.signal`, so it follows
    /// the primary from then on), then started; the same user and password as the primary's.
    public func startReplica(root replicaRoot: URL, port replicaPort: Int) throws -> (LocalCluster, DatabaseURL) {
        let replica = LocalCluster(root: replicaRoot, port: replicaPort)
        let binaries = try Self.serverBinaries(progress: { _ in })
        let asRoot = getuid() == 0
        if !replica.exists {
            try FileManager.default.createDirectory(at: replicaRoot, withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: replica.passwordFile.path) { try FileManager.default.removeItem(at: replica.passwordFile) }
            try FileManager.default.copyItem(at: passwordFile, to: replica.passwordFile)
            if asRoot { try Self.run("/bin/chown", ["-R", "postgres:postgres", replicaRoot.path]) }
            let password = try String(contentsOf: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            try runAsOwner(
                binaries.appending(path: "pg_basebackup").path,
                [
                    "-d", "host=127.0.0.1 port=\(port) user=\(Self.username) password=\(password)", "-D", replica.dataDirectory.path,
                    "-R", "-X", "stream", "-c", "fast",
                ], asRoot: asRoot)
        }
        return (replica, try replica.start())
    }

    /// Stops the cluster if it runs.
    public func stop() throws {
        let binaries = try Self.serverBinaries(progress: { _ in })
        let pgCtl = binaries.appending(path: "pg_ctl").path
        guard (try? runAsOwner(pgCtl, ["-D", dataDirectory.path, "status"], asRoot: getuid() == 0)) != nil else { return }
        try runAsOwner(pgCtl, ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"], asRoot: getuid() == 0)
    }

    /// Debian keeps server binaries in /usr/lib/postgresql/N/bin; the newest wins.
    static func serverBinaries(progress: (String) -> Void) throws -> URL {
        if let found = newestInstalledBinaries() { return found }
        guard getuid() == 0 else {
            throw StoreError.configuration(
                """
                PostgreSQL is not installed. Install it with:
                    sudo apt-get update && sudo apt-get install -y postgresql
                or set DATABASE_URL to an existing server.
                """)
        }
        progress("installing PostgreSQL from Debian packages (apt-get install postgresql)")
        try run("/usr/bin/env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "update", "-q"])
        try run("/usr/bin/env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"])
        guard let found = newestInstalledBinaries() else {
            throw StoreError.configuration("apt-get installed postgresql but no server binaries were found in /usr/lib/postgresql")
        }
        return found
    }

    private static func newestInstalledBinaries() -> URL? {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return versions.compactMap { Int($0) }.sorted(by: >)
            .map { URL(fileURLWithPath: "\(base)/\($0)/bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appending(path: "initdb").path) }
    }

    @discardableResult
    private func runAsOwner(_ program: String, _ arguments: [String], asRoot: Bool) throws -> String {
        asRoot
            ? try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments)
            : try Self.run(program, arguments)
    }

    /// Runs a program to completion; a non-zero exit throws with its output.
    ///
    /// This uses `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose exit
    /// notification depends on a SIGCHLD handler that does not fire reliably in every host
    /// process (the test runner, for one). Output goes to a temporary file, not a pipe:
    /// `pg_ctl start` leaves the server holding the descriptors it inherited, so a pipe would
    /// never reach end-of-file.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appending(path: "registry-run-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        // `env -C /` starts the program in /, which every user may enter (the postgres user may
        // not be allowed into the caller's working directory).
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let argv = (["/usr/bin/env", "-C", "/"] + assignments + [program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw StoreError.configuration("cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS, spelled out: the C macros are not imported.
        let exitedCleanly = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
        guard exitedCleanly else {
            throw StoreError.configuration("\(program) \(arguments.joined(separator: " ")) failed:\n\(text)")
        }
        return text
    }

    /// Makes a spawned program inherit nothing but standard input, output and error: a server
    /// started from here (pg_ctl's postgres) must not keep this process's sockets open after it
    /// closes them. glibc (2.34 and later) has `posix_spawn_file_actions_addclosefrom_np`, which
    /// Swift's Glibc module does not import, so it is looked up by name.
    public static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
    }
}
