import Foundation
import HummingbirdBcrypt
import Logging
import PostgresNIO
import RegistryCore
import RegistryStore

/// Deterministic synthetic demo data, shaped after the published series in CLINICAL.md: blocks
/// positive about 78% of the time, response about 70%, recurrence in about a quarter of
/// responders, about 15% referred to surgery, sessions two to four weeks apart.
///
/// Every course goes through `CourseRepository.importCourse`, and so through the same inserts,
/// rules, database constraints and audit rows as the API. The same seed gives the same
/// registry on any machine; dates are anchored to a fixed calendar, not to today, and records
/// that would fall after `today` are left out.
public struct DemoData: Sendable {
    public let courses: Int
    public let seed: UInt64
    public let today: CalendarDate

    public init(courses: Int = 300, seed: UInt64 = 20_140_139, today: CalendarDate) {
        self.courses = courses
        self.seed = seed
        self.today = today
    }

    /// The users the demo creates besides each site's clinicians, one per role.
    static let staff: [(Role, String)] = [(.manager, "manager"), (.researcher, "researcher"), (.admin, "admin")]

    /// One demo login per role, printed by `registry up`. Demo data only: real accounts come
    /// from `registry user add`.
    public static let logins: [(role: Role, username: String, password: String)] =
        [(Role.clinician, "clinician.north")].map { ($0.0, $0.1, demoPassword($0.1)) } + staff.map { ($0.0, $0.1, demoPassword($0.1)) }

    public static func demoPassword(_ username: String) -> String { username + "-demo-password" }

    static let sites = [("NORTH", "North Spine Clinic"), ("CENTRAL", "Central Pain Centre"), ("SOUTH", "South Musculoskeletal Unit")]
    static let givenNames = [
        "Anna", "Ben", "Carla", "David", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kerstin", "Luis",
        "Maja", "Noah", "Olga", "Pavel", "Rosa", "Sami", "Tove", "Ugo", "Vera", "Wim", "Yara", "Zoltan",
    ]
    static let familyNames = [
        "Berg", "Costa", "Dahl", "Eriksen", "Fischer", "Garcia", "Holm", "Ivanova", "Jensen", "Kowalski",
        "Lind", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Silva", "Tanaka", "Urban",
    ]

    /// Fills an empty registry; `progress(done, total)` is called after each course.
    public func load(
        into repositories: Repositories, auth: RegistryConfig.Auth,
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws {
        let hash = { (username: String) in Bcrypt.hash(Self.demoPassword(username), cost: UInt8(auth.bcryptCost)) }
        var random = SplitMix64(seed: seed)
        let actor = Actor(userId: nil, label: "seed", route: "registry seed")
        let accounts = repositories.accounts
        var sites: [SiteRecord] = []
        var cliniciansBySite: [UUID: [UUID]] = [:]
        for (code, name) in Self.sites { sites.append(try await accounts.addSite(code: code, name: name, actor: actor)) }
        for site in sites {
            let local = site.code.lowercased()
            for (index, suffix) in ["", ".2"].enumerated() {
                let username = "clinician.\(local)\(suffix)"
                let user = try await accounts.addUser(
                    username: username, displayName: "Dr \(Self.familyNames[index + sites.count]) (\(site.code))",
                    role: .clinician, siteIds: [site.id], passwordHash: suffix.isEmpty ? hash(username) : nil, actor: actor)
                cliniciansBySite[site.id, default: []].append(user.id)
            }
        }
        for (role, name) in Self.staff {
            _ = try await accounts.addUser(
                username: name, displayName: name.capitalized, role: role, siteIds: sites.map(\.id), passwordHash: hash(name), actor: actor)
        }
        let anchor = CalendarDate(year: 2024, month: 1, day: 8)!
        for index in 0..<courses {
            let site = sites[index % sites.count]
            let clinician = cliniciansBySite[site.id]![random.int(below: 2)]
            let start = anchor.adding(days: random.int(below: 640))
            guard start <= today else { continue }
            let plan = CoursePlan(random: &random, start: start, today: today)
            let course = try await repositories.courses.importCourse(plan.imported(index: index, site: site.id, clinician: clinician), by: actor)
            // Two patients in three agreed to LINE messages (a made-up LINE user id), so the outbox has someone to invite.
            if index % 3 != 2 {
                let contact = FollowUpContact(
                    channels: [.line], lineUserId: "U" + String(String(repeating: "0", count: 32) + String(index + 1, radix: 16)).suffix(32),
                    consentedOn: start, consentHow: .written, optedOutAt: nil)
                try await repositories.outbox.setContact(contact, patientId: course.patientId, scope: nil, by: actor)
            }
            progress(index + 1, courses)
        }
    }
}

/// The story of one synthetic course, decided up front from the random stream.
struct CoursePlan {
    var patient: NewPatient?
    var side: Side
    var block: NewBlock
    var baseline: Int
    var sessions: [(CalendarDate, NewProcedure)] = []
    var scores: [NewPainScore] = []
    var events: [NewCourseEvent] = []
    var findings: NewFindings?
    var symptomOnset: CalendarDate?
    let start: CalendarDate

    init(random: inout SplitMix64, start: CalendarDate, today: CalendarDate) {
        self.start = start
        side = [Side.left, .right, .right, .left, .bilateral][random.int(below: 5)]
        let before = 6 + random.int(below: 4)
        let positive = random.chance(0.78)
        let after =
            positive
            ? Int((Double(before) * random.uniform(0.05, 0.45)).rounded(.down))
            : Int((Double(before) * random.uniform(0.6, 0.95)).rounded())
        let performed = Date(timeIntervalSince1970: Double(start.dayNumber) * 86400 + 9 * 3600 + Double(random.int(below: 6 * 60)) * 60)
        block = NewBlock(
            performedAt: performed, side: side, agent: [.lidocaine, .ropivacaine, .bupivacaine][random.int(below: 3)],
            volumeMl: Decimal(3 + random.int(below: 4)), nrsBefore: before, nrsAfter: after,
            assessedMinutesAfter: 10 + random.int(below: 21))
        baseline = random.chance(0.04) ? 3 : max(4, before - random.int(below: 2))
        scores.append(NewPainScore(recordedOn: start, timepoint: .baseline, nrs: baseline, odi: 20 + random.int(below: 40)))
        // Chronic cases (symptoms over 3 months) more often show adhesions on ultrasound, and both
        // slow improvement: each multiplies the chance of improving at a session by 0.6, so the
        // dashboard's Cox model shows hazard ratios near 0.6. Some onsets and scans are missing.
        let chronic = random.chance(0.55)
        let onset = chronic ? start.adding(days: -100 - random.int(below: 600)) : start.adding(days: -20 - random.int(below: 65))
        symptomOnset = random.chance(0.9) ? onset : nil
        let adhesion = random.chance(chronic ? 0.65 : 0.35)
        let scanned = random.chance(0.92)
        // The work-up at the first visit: screening answers, examination and ultrasound, mostly
        // typical of SCN entrapment (trigger point 7–8 cm from the midline, swollen nerve).
        var r = random
        let typical = { (p: Double) in r.chance(p) }
        let gliding = adhesion && typical(0.7), narrowing = adhesion && typical(0.4)
        let fasciaAdhesion = adhesion && (typical(0.8) || !(gliding || narrowing))
        findings = NewFindings(
            recordedOn: start,
            screening: .init(
                painOverThreeMonths: chronic, imagingMildOnly: typical(0.8), painAtIliacCrest: typical(0.9),
                worseUprightEasedLying: typical(0.7), psisPressureReproduces: typical(0.75), physiotherapyRelapse: typical(0.6)),
            examination: .init(
                triggerPoint: true, triggerPointDistanceCm: Decimal(70 + r.int(below: 11)) / 10, lateralBendingPositive: typical(0.7),
                pelvicRotationPositive: typical(0.5), singleLegStancePositive: typical(0.5), straightLegRaisePositive: typical(0.1),
                strengthNormal: true, reflexesNormal: true),
            ultrasound: !scanned
                ? nil
                : .init(
                    nerveCsaMm2: Decimal(200 + r.int(below: 300)) / 100, flattening: typical(0.6), restrictedGliding: gliding,
                    fasciaThicknessMm: Decimal((adhesion ? 12 : 8) + r.int(below: 12)) / 10, fasciaAdhesion: fasciaAdhesion,
                    tunnelNarrowing: narrowing))
        random = r
        guard positive || random.chance(0.3) else {
            events.append(NewCourseEvent(kind: .discharged, occurredOn: start.adding(days: 14), note: "block negative: other diagnosis pursued"))
            clip(today)
            return
        }
        // Each session improves a responsive course with a chance of one half, less for chronic
        // cases and adhesions; some courses never respond.
        let chance = 0.5 * (chronic ? 0.6 : 1) * (adhesion ? 0.6 : 1)
        var needed: Int?
        if random.chance(0.88) {
            for number in 1...6 where needed == nil && random.chance(chance) { needed = number }
        }
        let responds = needed != nil
        let planned = needed ?? 3 + random.int(below: 3)
        let injectate: Injectate = random.chance(0.7) ? .d5w : [.normalSaline, .localAnaesthetic, .prp][random.int(below: 3)]
        var day = start.adding(days: random.int(below: 8))
        var current = baseline
        var improvedOn: CalendarDate?
        for number in 1...planned {
            let procedure: NewProcedure
            switch random.int(below: 20) {
            case 0..<3:
                procedure = NewProcedure(kind: .prp, volumeMl: Decimal(3 + random.int(below: 4)), leukocytes: random.chance(0.5) ? .rich : .poor)
            case 3..<5:
                procedure = NewProcedure(
                    kind: .dextrose, volumeMl: Decimal(5 + random.int(below: 6)), dextrosePercent: [12.5, 15, 20, 25][random.int(below: 4)])
            default:
                procedure = NewProcedure(kind: .hydrodissection, injectate: injectate, volumeMl: Decimal([5, 10, 10, 15, 20][random.int(below: 5)]))
            }
            sessions.append((day, procedure))
            if number > 1 { scores.append(NewPainScore(recordedOn: day, timepoint: .preProcedure, nrs: current)) }
            scores.append(NewPainScore(recordedOn: day, timepoint: .postProcedure, nrs: max(0, current - 3 - random.int(below: 3))))
            let followUp = day.adding(days: 10 + random.int(below: 5))
            if number == needed {
                current = min(Int((Double(baseline) * random.uniform(0.1, 0.45)).rounded(.down)), baseline - 2)
                improvedOn = followUp
            } else {
                current = max(responds ? current - random.int(below: 2) : current + random.int(below: 2) - 1, 0)
                current = min(max(current, Int((Double(baseline) * 0.6).rounded(.up))), 10)
            }
            scores.append(NewPainScore(recordedOn: followUp, timepoint: .followUp, nrs: current, pgic: number == needed ? 2 : 4))
            day = day.adding(days: 14 + random.int(below: 15))
        }
        guard let improved = improvedOn else {
            let last = day.adding(days: 7)
            events.append(NewCourseEvent(kind: random.chance(0.5) ? .referredToSurgery : .discharged, occurredOn: last))
            clip(today)
            return
        }
        // Follow-up at about 1, 3, 6 and 12 months; a quarter of responders recur.
        let recurs = random.chance(0.25)
        let recurAt = 1 + random.int(below: 3)
        let lost = random.chance(0.08)
        for (visit, months) in [1, 3, 6, 12].enumerated() {
            let date = improved.adding(days: months * 30 + random.int(below: 10))
            if lost && visit == 2 {
                events.append(NewCourseEvent(kind: .lostToFollowUp, occurredOn: date))
                break
            }
            let recurred = recurs && visit >= recurAt
            let nrs = recurred ? min(10, max(current + 3, baseline - random.int(below: 2))) : max(0, current + random.int(below: 2) - 1)
            scores.append(NewPainScore(recordedOn: date, timepoint: .followUp, nrs: nrs))
            if recurred && visit == recurAt && random.chance(0.4) {
                events.append(NewCourseEvent(kind: .recurrenceObserved, occurredOn: date))
            }
            if recurred && visit == recurAt + 1 {
                if random.chance(0.3) { events.append(NewCourseEvent(kind: .referredToSurgery, occurredOn: date)) }
                break
            }
        }
        clip(today)
    }

    /// Drops whatever the story would put after today: a registry holds only the past.
    mutating func clip(_ today: CalendarDate) {
        sessions.removeAll { $0.0 > today }
        scores.removeAll { $0.recordedOn > today }
        events.removeAll { $0.occurredOn > today }
    }

    /// The course as the registry imports it.
    func imported(index: Int, site: UUID, clinician: UUID) -> ImportedCourse {
        var random = SplitMix64(seed: UInt64(index) &* 7919)
        let patient = NewPatient(
            siteId: site, mrn: String(format: "MRN-%06d", 100_000 + index),
            familyName: DemoData.familyNames[random.int(below: DemoData.familyNames.count)],
            givenName: DemoData.givenNames[random.int(below: DemoData.givenNames.count)],
            dateOfBirth: CalendarDate(year: 1945 + random.int(below: 55), month: 1 + random.int(below: 12), day: 1 + random.int(below: 28))!,
            sex: random.chance(0.6) ? .female : .male, phone: nil, email: nil)
        // The patient id is the imported patient's; this one is not used.
        let course = NewCourse(
            patientId: UUID(), siteId: site, clinicianId: clinician, side: side,
            icd10: side == .left ? "G57.82" : side == .right ? "G57.81" : "M54.50",
            symptomOnset: symptomOnset, startedOn: start, notes: nil)
        return ImportedCourse(
            patient: patient, course: course, blocks: [block], findings: findings.map { [$0] } ?? [],
            sessions: sessions.map { NewSession(sessionOn: $0.0, clinicianId: nil, notes: nil, procedures: [$0.1]) },
            painScores: scores, events: events)
    }
}

/// A small, fast, seedable generator (Vigna's SplitMix64): the same seed gives the same demo
/// registry on every platform, which `SystemRandomNumberGenerator` cannot promise.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }

    mutating func chance(_ probability: Double) -> Bool { uniform(0, 1) < probability }
}
