import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryDevTools
import RegistryStore
import RegistryTestSupport
import Testing

extension PageTests {
    /// The statements each of a clinician's reads sends, counted as the driver sees them (each
    /// Bind the server completes) on demo data: the principal's (one, with its session touch) and
    /// the page's own, so the numbers cannot grow back unnoticed. Each is the least of three
    /// requests, since the audit sealer's passes share the counter.
    @Test func eachClinicReadSendsAFixedFewStatements() async throws {
        let counter = StatementCounter()
        try await APIHarness.run(configure: { $0.auth.credentialCacheSeconds = 0 }, appDatabaseLogger: counter.logger) { h, client in
            let config = try TestDatabase.config()
            try await DemoData(courses: 90, today: CalendarDate(iso: "2026-06-15")!).load(
                into: try Repositories.testing(h.database), auth: config.auth)
            let cookie = try await signIn(client, h, username: "dr.count", site: "NORTH")
            let token = try await AccountRepository(database: h.database).issueToken(
                username: "dr.count", label: "count", days: 1, actor: Fixture.actor
            ).token
            let (course, patient) = try #require(
                try await h.database.withConnection { connection in
                    try await connection.query(
                        """
                        SELECT c.id, c.patient_id FROM treatment_courses c JOIN sites s ON s.id = c.site_id WHERE s.code = 'NORTH'
                          AND NOT EXISTS (SELECT 1 FROM course_events e WHERE e.course_id = c.id)
                        ORDER BY (SELECT count(*) FROM pain_scores p WHERE p.course_id = c.id) DESC, c.id LIMIT 1
                        """, logger: TestDatabase.logger
                    ).decode((UUID, UUID).self).first { _ in true }
                })
            // A session two weeks ago puts the course's first follow-up on today's list.
            let session = try await client.post(
                "/api/v1/courses/\(course)/sessions",
                #"{"sessionOn":"2026-06-01","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}"#, token: token)
            #expect(session.status == .created)
            let due = try await client.get("/api/v1/follow-ups/due", token: token)
            #expect(due.status == .ok && !((due.json["items"] as? [Any]) ?? []).isEmpty, "the demo data has follow-ups due")
            let reads: [(String, HTTPFields, Int)] = [
                ("/api/v1/courses/\(course)", [.authorization: "Bearer \(token)"], 2),
                ("/courses/\(course)", [.cookie: cookie], 2),
                ("/patients/\(patient)", [.cookie: cookie], 2),
                // Home and the due list also read the outbox's messages of the follow-ups due.
                ("/home", [.cookie: cookie], 5),
                ("/follow-ups", [.cookie: cookie], 5),
            ]
            for (path, headers, expected) in reads {
                var counts: [Int] = []
                for _ in 0..<3 {
                    let before = counter.statements
                    let reply = try await client.execute(uri: path, method: .get, headers: headers)
                    #expect(reply.status == .ok, "\(path)")
                    counts.append(counter.statements - before)
                }
                #expect(counts.min() == expected, "\(path): \(counts)")
            }
        }
    }
}
