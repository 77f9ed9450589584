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
        let registry = Registry(database: database)
        return try await database.transaction { connection in
            let site = try await registry.insertSite(code: "TEST", name: "Test Clinic", actor: actor, on: connection)
            let other = try await registry.insertSite(code: "OTHER", name: "Other Clinic", actor: actor, on: connection)
            let clinician = try await registry.insertUser(
                username: "dr.test", displayName: "Dr Test", role: .clinician,
                siteIds: [site.id], actor: actor, on: connection)
            let manager = try await registry.insertUser(
                username: "mgr.test", displayName: "Manager", role: .manager,
                siteIds: [site.id], actor: actor, on: connection)
            let otherClinician = try await registry.insertUser(
                username: "dr.other", displayName: "Dr Other", role: .clinician,
                siteIds: [other.id], actor: actor, on: connection)
            _ = try await registry.insertUser(
                username: "researcher.test", displayName: "Researcher", role: .researcher,
                siteIds: [], actor: actor, on: connection)
            _ = try await registry.insertUser(username: "admin.test", displayName: "Admin", role: .admin, siteIds: [], actor: actor, on: connection)
            let patient = try await registry.insertPatient(
                NewPatient(
                    siteId: site.id, mrn: "MRN-1", familyName: "Doe", givenName: "Jane", dateOfBirth: CalendarDate(iso: "1970-02-03")!,
                    sex: .female, phone: nil, email: nil), actor: actor, on: connection)
            let course = try await registry.insertCourse(
                NewCourse(
                    patientId: patient.id, siteId: site.id, clinicianId: clinician.id, side: .left, icd10: "G57.82",
                    symptomOnset: nil, startedOn: courseStart, notes: nil), actor: actor, on: connection)
            return Fixture(
                siteId: site.id, otherSiteId: other.id, clinicianId: clinician.id, managerId: manager.id,
                otherClinicianId: otherClinician.id, patientId: patient.id, courseId: course.id)
        }
    }
}
