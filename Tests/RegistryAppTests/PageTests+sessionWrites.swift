import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryTestSupport
import Testing

/// A JSON write that carries only the session cookie (what a page of another origin can make a
/// browser send) writes nothing: it needs the session's CSRF token in X-CSRF-Token, and every
/// API body is JSON.
extension PageTests {
    @Test func aCookieOnlyAPIWriteIsRefusedAndTheSessionsTokenLetsItThrough() async throws {
        try await APIHarness.run { h, client async throws in
            let cookie = try await signIn(client, h, username: "dr.session")
            let path = "/api/v1/courses/\(h.fixture.courseId)/pain-scores", body = #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":1}"#
            let before = try await h.rowCounts()
            for contentType in ["text/plain", "application/json", "application/x-www-form-urlencoded"] {
                let forged = try await client.execute(
                    uri: path, method: .post, headers: [.cookie: cookie, .contentType: contentType, .origin: "http://evil.example"],
                    body: ByteBuffer(string: body))
                #expect(forged.status == .forbidden, "\(contentType)")
                #expect(String(buffer: forged.body).contains("csrf_token_missing"))
            }
            let (_, coursePage, _) = try await page(client, "/courses/\(h.fixture.courseId)", cookie: cookie)
            let csrf = try #require(hidden(coursePage, "csrf"))
            let wrong = try await client.execute(
                uri: path, method: .post,
                headers: [.cookie: cookie, .contentType: "application/json", CSRFHeader.name: String(repeating: "0", count: 64)],
                body: ByteBuffer(string: body))
            #expect(wrong.status == .forbidden)
            #expect(try await h.rowCounts() == before)
            let plain = try await client.execute(
                uri: path, method: .post, headers: [.cookie: cookie, .contentType: "text/plain", CSRFHeader.name: csrf],
                body: ByteBuffer(string: body))
            #expect(plain.status == .unsupportedMediaType && String(buffer: plain.body).contains("unsupported_media_type"))
            #expect(try await h.rowCounts() == before)
            let allowed = try await client.execute(
                uri: path, method: .post, headers: [.cookie: cookie, .contentType: "application/json", CSRFHeader.name: csrf],
                body: ByteBuffer(string: body))
            #expect(allowed.status == .created, "\(String(buffer: allowed.body))")
            // A bearer token is not sent by browsers on their own: it needs no CSRF token, but JSON all the same.
            let bearer = try await client.post(path, body, token: h.clinician)
            #expect(bearer.status == .created)
            let bearerPlain = try await client.send(.post, path, body, token: h.clinician, extra: [.contentType: "text/plain"])
            #expect(bearerPlain.status == .unsupportedMediaType)
        }
    }
}

enum CSRFHeader {
    static let name = HTTPField.Name("X-CSRF-Token")!
}
