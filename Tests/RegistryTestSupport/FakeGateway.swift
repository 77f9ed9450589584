import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fake LINE and SMS gateways of `fake_gateway.py`, run as a process of its own and spoken
/// to over HTTP: what it received, and failures to answer with.
public final class FakeGateway: Sendable {
    public static let channelToken = "test-channel-token"
    let process: ServerProcess
    public let baseUrl: String

    /// A request the fake received, with how it answered.
    public struct Received: Decodable, Sendable {
        public let path: String
        public let body: String
        public let retryKey: String?
        public let authorization: String?
        public let contentType: String?
        public let answered: Int

        /// The push message's recipient and text (LINE), decoded from the body.
        public var push: (to: String, text: String)? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                let to = object["to"] as? String, let text = ((object["messages"] as? [[String: Any]])?.first)?["text"] as? String
            else { return nil }
            return (to, text)
        }
    }

    public init() async throws {
        let script = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/fake_gateway.py")
        process = try ServerProcess("/usr/bin/python3", [script.path, Self.channelToken], in: TestDatabase.checkout, environment: [:])
        let started = ContinuousClock.now
        while Int(process.output.trimmingCharacters(in: .whitespacesAndNewlines)) == nil {
            guard ContinuousClock.now - started < .seconds(20) else { throw FakeGatewayError("the fake gateway did not start: \(process.output)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        baseUrl = "http://127.0.0.1:\(process.output.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    public func received() async throws -> [Received] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: baseUrl + "/received")!)
        return try JSONDecoder().decode([Received].self, from: data)
    }

    /// The pushes LINE accepted (answered 200): what reached the patient.
    public func delivered() async throws -> [Received] { try await received().filter { $0.answered == 200 } }

    /// Answers the next `count` requests with 500.
    public func fail(next count: Int) async throws { try await control(#"{"fail":\#(count)}"#) }

    /// Accepts the next `count` requests (to `path` only, when given) at once, so they are
    /// delivered, and holds each answer for `seconds`.
    public func hold(next count: Int, seconds: Double, path: String? = nil) async throws {
        try await control(#"{"hold":\#(count),"seconds":\#(seconds)\#(path.map { #","path":"\#($0)""# } ?? "")}"#)
    }

    private func control(_ json: String) async throws {
        var request = URLRequest(url: URL(string: baseUrl + "/control")!)
        request.httpMethod = "POST"
        request.httpBody = Data(json.utf8)
        _ = try await URLSession.shared.data(for: request)
    }

    /// Nothing of it needs to outlive the test: killed if it has not ended at once.
    public func stop() async { _ = await process.terminate(within: .milliseconds(300)) }
}

public struct FakeGatewayError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
