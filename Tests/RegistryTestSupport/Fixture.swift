import Foundation
import RegistryCore
import RegistryStore

/// A site, a clinician, a patient and a course started 2026-01-10: the least a clinical test needs.
public struct Fixture: Sendable {
    public let siteId: UUID
    public let otherSiteId: UUID
    public let clinicianId: UUID
    public let managerId: UUID
    /// A clinician who works only at the other site.
    public let otherClinicianId: UUID
    public let patientId: UUID
    public let courseId: UUID

    /// The usernames `make` creates, by what tests call them.
    public static let usernames = [
        "clinician": "dr.test", "manager": "mgr.test", "other": "dr.other", "researcher": "researcher.test", "admin": "admin.test",
    ]

    public static let actor = Actor(userId: nil, label: "test", route: "tests")
    public static let courseStart = CalendarDate(iso: "2026-01-10")!

    public static func make(_ database: RegistryDatabase) async throws -> Fixture {
        let accounts = AccountRepository(database: database)
        let site = try await accounts.addSite(code: "TEST", name: "Test Clinic", actor: actor)
        let other = try await accounts.addSite(code: "OTHER", name: "Other Clinic", actor: actor)
        func user(_ username: String, _ name: String, _ role: Role, _ sites: [UUID]) async throws -> UUID {
            try await accounts.addUser(username: username, displayName: name, role: role, siteIds: sites, passwordHash: nil, actor: actor).id
        }
        let clinician = try await user("dr.test", "Dr Test", .clinician, [site.id])
        let manager = try await user("mgr.test", "Manager", .manager, [site.id])
        let otherClinician = try await user("dr.other", "Dr Other", .clinician, [other.id])
        _ = try await user("researcher.test", "Researcher", .researcher, [])
        _ = try await user("admin.test", "Admin", .admin, [])
        let config = try TestDatabase.config()
        let course = try await Repositories(database: database, rules: config.clinical, followUp: config.followUp).courses.importCourse(
            ImportedCourse(
                patient: NewPatient(
                    siteId: site.id, mrn: "MRN-1", familyName: "Doe", givenName: "Jane", dateOfBirth: CalendarDate(iso: "1970-02-03")!,
                    sex: .female, phone: nil, email: nil),
                course: NewCourse(
                    patientId: UUID(), siteId: site.id, clinicianId: clinician, side: .left, icd10: "G57.82", symptomOnset: nil,
                    startedOn: courseStart, notes: nil),
                blocks: [], findings: [], sessions: [], painScores: [], events: []),
            by: actor)
        return Fixture(
            siteId: site.id, otherSiteId: other.id, clinicianId: clinician, managerId: manager,
            otherClinicianId: otherClinician, patientId: course.patientId, courseId: course.id)
    }
}

extension Fixture {
    /// A new patient at the fixture's site with a course started on `startedOn` (its baseline NRS
    /// 7 that day) and one hydrodissection on `sessionOn`: the follow-up schedule counts from it.
    public func courseWithOneSession(
        mrn: String, startedOn: CalendarDate, sessionOn: CalendarDate, phone: String? = nil, in repositories: Repositories
    ) async throws -> CourseRecord {
        try await repositories.courses.importCourse(
            ImportedCourse(
                patient: NewPatient(
                    siteId: siteId, mrn: mrn, familyName: "Chen", givenName: "Mei", dateOfBirth: CalendarDate(iso: "1968-05-06")!, sex: .female,
                    phone: phone, email: nil),
                course: NewCourse(
                    patientId: UUID(), siteId: siteId, clinicianId: clinicianId, side: .left, icd10: "G57.82", symptomOnset: nil,
                    startedOn: startedOn, notes: nil),
                blocks: [], findings: [],
                sessions: [
                    NewSession(
                        sessionOn: sessionOn, clinicianId: nil, notes: nil,
                        procedures: [NewProcedure(kind: .hydrodissection, injectate: .d5w, volumeMl: 10)])
                ],
                painScores: [NewPainScore(recordedOn: startedOn, timepoint: .baseline, nrs: 7, odi: nil, pgic: nil)],
                events: []),
            by: Fixture.actor)
    }
}

extension Repositories {
    /// The repositories over `database` with the checked-in configuration's rules.
    public static func testing(_ database: RegistryDatabase) throws -> Repositories {
        let config = try TestDatabase.config()
        return Repositories(database: database, rules: config.clinical, followUp: config.followUp)
    }
}
