import Foundation
import RegistryAnalytics
import RegistryCore
import RegistryDevTools
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite struct FollowUpRepositoryTests {
    /// The due list reads only the courses whose sessions put a window around today, and still
    /// lists exactly what every course's schedule says is open: compared, day by day over a year
    /// and a half of demo data, with the schedules of all courses.
    @Test func theDueListIsWhatEveryCoursesScheduleSaysIsOpen() async throws {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let repositories = try Repositories.testing(database)
            try await DemoData(courses: 60, today: CalendarDate(iso: "2026-11-25")!).load(into: repositories, auth: config.auth)
            var histories: [CourseHistory] = []
            try await database.withConnection { try await repositories.reports.streamHistories(on: $0) { histories.append($0) } }
            var listed = 0
            for offset in stride(from: 0, through: 540, by: 9) {
                let today = CalendarDate(iso: "2025-06-01")!.adding(days: offset)
                let open = histories.compactMap { history in
                    FollowUpSchedule(history, rules: config.followUp, today: today).open.map { "\(history.courseId) \($0.label)" }
                }
                let due = try await repositories.followUps.due(scope: nil, today: today).map { "\($0.courseId) \($0.followUp.label)" }
                #expect(Set(due) == Set(open) && due.count == open.count, "\(today)")
                listed += due.count
            }
            #expect(listed > 0)
        }
    }
}
