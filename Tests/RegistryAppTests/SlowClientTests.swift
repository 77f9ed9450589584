import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that hold connections without finishing a request, against the server on a real port:
/// half a header is closed after `server.idleTimeoutSeconds`; a body shorter than its
/// Content-Length is answered 408 (a client error, counted apart) when the request's bound passes.
@Suite struct SlowClientTests {
    @Test func connectionsThatNeverFinishTheirHeaderAreClosed() async throws {
        try await APIHarness.run(.live, configure: { $0.server.idleTimeoutSeconds = 1 }) { _, client async throws in
            let port = try #require(client.port)
            let sockets = try (0..<64).map { _ in try RawSocket(port: port) }
            for socket in sockets { socket.send("GET /healthz HTTP/1.1\r\nHost: registry\r\nX-Slow: ") }
            try await Task.sleep(for: .seconds(3))
            var closed: [RawSocket] = []
            for socket in sockets where await socket.receive(waitingSeconds: 2) == "" { closed.append(socket) }
            #expect(closed.count == 64, "\(64 - closed.count) of 64 half-sent connections still open")
            // The server still answers a client that completes its request (on a new connection:
            // the test client's own idle one was closed too).
            let prompt = try RawSocket(port: port)
            prompt.send("GET /healthz HTTP/1.1\r\nHost: registry\r\n\r\n")
            #expect(await prompt.receive(waitingSeconds: 5)?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    @Test func aBodyThatNeverArrivesIsAClientErrorNotADatabaseOne() async throws {
        try await APIHarness.run(.live, configure: { $0.server.requestTimeoutSeconds = 1 }) { h, client async throws in
            let port = try #require(client.port)
            let socket = try RawSocket(port: port)
            socket.send(
                "POST /api/v1/courses/\(h.fixture.courseId)/pain-scores HTTP/1.1\r\nHost: registry\r\nAuthorization: Bearer \(h.clinician)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"nrs\":")
            let answer = await socket.receive(waitingSeconds: 5) ?? ""
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("body_timeout") && !answer.contains("database"))
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("registry_request_body_timeouts_total 1"), "\(metrics)")
            #expect(!metrics.contains("registry_requests_out_of_time_total 1"))
        }
    }
}

/// A TCP connection spoken to byte by byte, as a slow or broken client would.
final class RawSocket: Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(descriptor, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
    }

    /// What arrives within `waitingSeconds`: "" once the server has closed the connection, nil if it is still open and silent.
    /// Waited for on a thread of its own, so the server under test keeps its threads.
    func receive(waitingSeconds: Int) async -> String? {
        let descriptor = descriptor
        return await BlockingWork.aside { Self.receive(on: descriptor, waitingSeconds: waitingSeconds) }
    }

    private static func receive(on descriptor: Int32, waitingSeconds: Int) -> String? {
        var timeout = timeval(tv_sec: waitingSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count < 0 { return errno == ECONNRESET ? "" : nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    deinit { close(descriptor) }
}
