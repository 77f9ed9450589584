import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RegistryCore
import RegistryStore

/// A way out for the outbox's messages: a small client of the gateway's own protocol. A send
/// never throws and never waits past `timeout`: a failing gateway leaves a reason on the message
/// and the sender goes on with the others.
protocol MessageChannel: Sendable {
    var channel: ContactChannel { get }
    func send(_ text: String, to address: String, messageId: UUID) async -> DeliveryResult
}

extension MessageChannel {
    static var timeout: TimeAmount { .seconds(5) }

    /// The result of a gateway's answer: 2xx is sent; 408, 429 and 5xx may mend on a retry;
    /// other refusals will not.
    static func result(_ response: HTTPClientResponse) async -> DeliveryResult {
        if (200..<300).contains(response.status.code) { return .sent }
        let body = (try? await response.body.collect(upTo: 2000)).map { String(buffer: $0) } ?? ""
        let retry = response.status.code == 408 || response.status.code == 429 || response.status.code >= 500
        return .failed(reason: "HTTP \(response.status.code) \(body)".trimmingCharacters(in: .whitespacesAndNewlines), retry: retry)
    }

    static func unreachable(_ error: any Error) -> DeliveryResult {
        .failed(reason: "gateway unreachable: \(String(describing: error).prefix(300))", retry: true)
    }
}

/// The LINE Messaging API's push message, with the message's id as `X-Line-Retry-Key`: a retry
/// after a lost answer is answered 409 and not delivered twice, which counts as sent.
struct LineChannel: MessageChannel {
    let client: HTTPClient
    let config: RegistryConfig.Outbox.Line
    var channel: ContactChannel { .line }

    func send(_ text: String, to address: String, messageId: UUID) async -> DeliveryResult {
        var request = HTTPClientRequest(url: config.baseUrl.trimmingSuffix("/") + "/v2/bot/message/push")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(config.channelAccessToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Line-Retry-Key", value: messageId.uuidString.lowercased())
        let body: [String: Any] = ["to": address, "messages": [["type": "text", "text": text]]]
        request.body = .bytes(ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: body)) ?? Data()))
        do {
            let response = try await client.execute(request, timeout: Self.timeout)
            if response.status == .conflict { return .sent }
            return await Self.result(response)
        } catch {
            return Self.unreachable(error)
        }
    }
}

/// An HTTPS SMS gateway as Taiwanese providers take it: an address, a method, headers and a body
/// with `{{to}}` and `{{text}}`, filled in JSON-escaped for a JSON body and URL-encoded otherwise.
struct SMSGateway: MessageChannel {
    let client: HTTPClient
    let config: RegistryConfig.Outbox.SMS
    var channel: ContactChannel { .sms }

    func send(_ text: String, to address: String, messageId: UUID) async -> DeliveryResult {
        let json = config.headers.contains { $0.lowercased().hasPrefix("content-type:") && $0.lowercased().contains("json") }
        func filled(_ template: String, escape: (String) -> String) -> String {
            template.replacingOccurrences(of: "{{to}}", with: escape(address)).replacingOccurrences(of: "{{text}}", with: escape(text))
        }
        var request = HTTPClientRequest(url: filled(config.url, escape: Self.urlEncoded))
        request.method = HTTPMethod(rawValue: config.method)
        for header in config.headers {
            let parts = header.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { request.headers.add(name: parts[0], value: parts[1]) }
        }
        if config.method != "GET" {
            request.body = .bytes(ByteBuffer(string: filled(config.body, escape: json ? Self.jsonEscaped : Self.urlEncoded)))
        }
        do {
            return await Self.result(try await client.execute(request, timeout: Self.timeout))
        } catch {
            return Self.unreachable(error)
        }
    }

    static func jsonEscaped(_ text: String) -> String {
        let encoded = (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        return String(encoded.dropFirst().dropLast())
    }

    static func urlEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
