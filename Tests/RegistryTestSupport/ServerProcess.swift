import Foundation
import RegistryDevTools

/// A `registry serve` (or any long-running program) started for a test, stopped with SIGTERM.
///
/// Spawned with `posix_spawn` and reaped with `waitpid`, not Foundation's `Process`, whose exit
/// notification is unreliable inside the test runner; output goes to a log file, so a chatty
/// server never blocks on a full pipe.
public final class ServerProcess: Sendable {
    public let pid: pid_t
    public let log: URL

    public init(_ program: String, _ arguments: [String], in folder: URL, environment: [String: String]) throws {
        log = FileManager.default.temporaryDirectory.appending(path: "server-\(UUID().uuidString).log")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        LocalCluster.closeInheritedDescriptors(&actions)
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        // `env -i -C folder` starts the program with exactly `environment`, in `folder`; env execs it, keeping the pid.
        let argv = (["/usr/bin/env", "-i", "-C", folder.path] + assignments + [program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        self.pid = pid
    }

    /// What the program printed so far.
    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits up to `limit` for the exit; returns the seconds it took, or nil
    /// when the program was still running (it is then killed).
    public func terminate(within limit: Duration) async -> Double? {
        let started = ContinuousClock.now
        kill(pid, SIGTERM)
        while ContinuousClock.now - started < limit {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let elapsed = ContinuousClock.now - started
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return nil
    }

    deinit { try? FileManager.default.removeItem(at: log) }
}
