import Foundation
import HTTPTypes
import HummingbirdTesting
import RegistryStore
import RegistryTestSupport
import Testing

/// Each role against each class of route, site scoping, and identity never reaching researchers.
@Suite struct AccessTests {
    enum RouteClass: String, CaseIterable { case read, write, identity, report, export, audit, admin }

    /// What each role gets on each class of route.
    static let expected: [String: [RouteClass: HTTPResponse.Status]] = [
        "clinician": [
            .read: .ok, .write: .created, .identity: .ok, .report: .forbidden, .export: .forbidden, .audit: .forbidden, .admin: .forbidden,
        ],
        "manager": [.read: .ok, .write: .forbidden, .identity: .ok, .report: .ok, .export: .ok, .audit: .forbidden, .admin: .forbidden],
        "researcher": [
            .read: .forbidden, .write: .forbidden, .identity: .forbidden, .report: .ok, .export: .ok, .audit: .forbidden, .admin: .forbidden,
        ],
        "admin": [.read: .forbidden, .write: .forbidden, .identity: .forbidden, .report: .forbidden, .export: .ok, .audit: .ok, .admin: .ok],
    ]

    func call(_ routeClass: RouteClass, _ client: some TestClientProtocol, _ h: APIHarness, token: String?) async throws -> Reply {
        let course = h.fixture.courseId
        switch routeClass {
        case .read: return try await client.get("/api/v1/courses/\(course)", token: token)
        case .write:
            return try await client.post(
                "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":4}"#, token: token)
        case .identity: return try await client.get("/api/v1/patients/\(h.fixture.patientId)", token: token)
        case .report: return try await client.get("/api/v1/reports/outcomes", token: token)
        case .export: return try await client.get("/api/v1/exports/courses.csv", token: token)
        case .audit: return try await client.get("/api/v1/audit", token: token)
        case .admin: return try await client.get("/api/v1/users", token: token)
        }
    }

    @Test(arguments: ["clinician", "manager", "researcher", "admin"])
    func eachRoleGetsWhatItsWorkNeeds(_ role: String) async throws {
        try await APIHarness.run { h, client async throws in
            for routeClass in RouteClass.allCases {
                let reply = try await call(routeClass, client, h, token: h.tokens[role])
                #expect(reply.status == Self.expected[role]![routeClass]!, "\(role) on \(routeClass): \(reply.text)")
                if reply.status == .forbidden { #expect(reply.json["error"] as? String == "forbidden") }
            }
        }
    }

    @Test func withoutCredentialsEveryDataRouteIs401AndThePublicOnesAnswer() async throws {
        try await APIHarness.run { h, client async throws in
            for routeClass in RouteClass.allCases {
                #expect(try await call(routeClass, client, h, token: nil).status == .unauthorized)
                #expect(try await call(routeClass, client, h, token: "scn_t_forged").status == .unauthorized)
            }
            #expect(try await client.get("/api/v1/patients", token: nil).status == .unauthorized)
            #expect(try await client.get("/healthz", token: nil).status == .ok)
            #expect(try await client.get("/openapi.yaml", token: nil).status == .ok)
            #expect(try await client.get("/login", token: nil).status == .ok)
        }
    }

    @Test func aClinicianOfAnotherSiteCannotSeeOrWriteTheCourse() async throws {
        try await APIHarness.run { h, client async throws in
            let other = h.tokens["other"]
            let course = h.fixture.courseId
            #expect(try await client.get("/api/v1/courses/\(course)", token: other).status == .notFound)
            #expect(try await client.get("/api/v1/patients/\(h.fixture.patientId)", token: other).status == .notFound)
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":4}"#,
                    token: other
                ).status == .notFound)
            let list = try await client.get("/api/v1/courses", token: other)
            #expect((list.json["items"] as? [Any])?.isEmpty == true)
            let elsewhere = try await client.post(
                "/api/v1/patients",
                """
                {"siteId":"\(h.fixture.siteId)","mrn":"Z-9","familyName":"F","givenName":"G","dateOfBirth":"1970-01-01","sex":"male"}
                """, token: other)
            #expect(elsewhere.status == .unprocessableContent && elsewhere.problems == ["siteId:your_sites"])
        }
    }

    @Test func aResearcherReceivesNoIdentityFromAnyRoute() async throws {
        try await APIHarness.run { h, client async throws in
            let researcher = h.tokens["researcher"]
            for path in ["/api/v1/patients", "/api/v1/patients/\(h.fixture.patientId)", "/api/v1/courses/\(h.fixture.courseId)", "/api/v1/courses"] {
                let reply = try await client.get(path, token: researcher)
                #expect(reply.status == .forbidden)
                for identity in ["Doe", "Jane", "MRN-1", "1970-02-03"] { #expect(!reply.text.contains(identity)) }
            }
            let report = try await client.get("/api/v1/reports/outcomes", token: researcher)
            #expect(report.status == .ok)
            for identity in ["Doe", "Jane", "MRN-1", "1970-02-03"] { #expect(!report.text.contains(identity)) }
        }
    }

    /// Revoked or disabled elsewhere (the CLI, another server): refused once this server's short
    /// memory of the credential lapses. (Through this server: at once, PageTests.)
    @Test func aRevokedOrExpiredTokenOrDisabledUserIsRefused() async throws {
        try await APIHarness.run { h, client async throws in
            let elsewhere = AccountRepository(database: h.database)
            let issued = try await elsewhere.issueToken(username: "dr.test", label: "short", days: 1, actor: Fixture.actor)
            #expect(try await client.get("/api/v1/courses", token: issued.token).status == .ok)
            #expect(try await client.get("/api/v1/courses", token: h.clinician).status == .ok)
            try await elsewhere.revokeToken(id: issued.id, actor: Fixture.actor)
            try await elsewhere.disableUser(username: "dr.test", actor: Fixture.actor)
            try await APIHarness.outlastCredentialCache()
            #expect(try await client.get("/api/v1/courses", token: issued.token).status == .unauthorized)
            #expect(try await client.get("/api/v1/courses", token: h.clinician).status == .unauthorized)
        }
    }
}
