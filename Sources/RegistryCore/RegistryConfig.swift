import Foundation

/// Everything a clinic may tune: server address, database, and the clinical thresholds of
/// CLINICAL.md. Defaults live in `Config/registry.json`; environment variables override any leaf
/// (see `RegistryConfig+environment.swift`). Reports echo `clinical` so every figure says which
/// thresholds produced it.
public struct RegistryConfig: Codable, Sendable, Equatable {
    public var server: Server
    public var database: Database
    public var auth: Auth
    public var export: Export
    public var followUp: FollowUp
    public var outbox: Outbox
    public var clinical: ClinicalRules

    public struct Server: Codable, Sendable, Equatable {
        public var host: String
        public var port: Int
        /// Larger request bodies get 413 before any parsing.
        public var maxBodyBytes: Int
        /// The clinic's zone: it decides what "today" is for "not in the future" checks.
        public var timeZone: String
        /// Serve `GET /metrics` on a non-loopback bind too (it is always served on loopback).
        public var publicMetrics: Bool
        /// Every request is answered within this many seconds: past it, 503 with Retry-After,
        /// whatever the database is doing (a write that completes later is replayed by its
        /// Idempotency-Key).
        public var requestTimeoutSeconds: Double
        /// The same bound for reports, the dashboard and exports, which read every course.
        public var analysisTimeoutSeconds: Double
        /// After SIGTERM, requests in flight get this long to finish before the process ends.
        public var shutdownSeconds: Double
        /// Behind a reverse proxy: take the client's address from the last X-Forwarded-For entry.
        public var trustProxy: Bool
        /// Where patients and staff reach the registry, such as `https://registry.example.org`:
        /// links handed to patients are built from it, never from a request's Host header. Empty:
        /// `http://host:port` of the bind.
        public var publicBaseUrl: String
        /// A connection that completes no request header for this long is closed (slow clients).
        public var idleTimeoutSeconds: Double

        /// The public base URL without a trailing slash.
        public var publicOrigin: String {
            publicBaseUrl.isEmpty
                ? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" : String(publicBaseUrl.reversed().drop { $0 == "/" }.reversed())
        }
    }

    public struct Auth: Codable, Sendable, Equatable {
        /// bcrypt work factor for new passwords (4–31; 12 takes about a quarter second).
        public var bcryptCost: Int
        public var minimumPasswordLength: Int
        /// A web session ends after this long without a request…
        public var sessionIdleMinutes: Int
        /// …and this long after sign-in, however busy (a stolen cookie does not last for ever).
        public var sessionMaxHours: Int
        /// Mark the session cookie Secure even when the request did not say it came over HTTPS.
        public var secureCookies: Bool
        public var tokenDays: Int
        /// Failed logins (per account or address) after which each attempt is slowed down…
        public var slowdownAfterFailures: Int
        /// …and after which attempts are refused until `lockoutMinutes` pass without failures.
        public var lockoutAfterFailures: Int
        public var lockoutMinutes: Int
        /// How long a server may reuse who a token or session belongs to without asking the
        /// database (0: ask on every request). A revoked token, ended session or disabled user
        /// is refused by this server at once, and by the others within this bound.
        public var credentialCacheSeconds: Double
    }

    public struct Export: Codable, Sendable, Equatable {
        /// Empty: every export gets a fresh random key, so pseudonyms cannot be linked across
        /// exports. An admin may set a project key to make them stable across a project's exports.
        public var projectKey: String
        /// Free-text notes may identify people; they are exported only when an admin enables it.
        public var includeNotes: Bool
        /// The base URI of the registry's own FHIR code systems, extensions and identifier systems
        /// (a site's MRNs are `<base>/sites/<site code>/mrn`): a URL the clinic controls, never changed once used.
        public var fhirSystemBase: String
    }

    /// When patients are asked how they are after their most recent treatment session.
    public struct FollowUp: Codable, Sendable, Equatable {
        public var milestones: [Milestone]
        /// A follow-up may be answered from this many days before its date…
        public var windowDaysBefore: Int
        /// …to this many days after it; then it is missed.
        public var windowDaysAfter: Int
        /// A patient link expires after this many days.
        public var linkDays: Int
        /// Answers one link may send, and answers one address may send, per hour.
        public var answersPerLinkPerHour: Int
        public var answersPerAddressPerHour: Int

        public init(
            milestones: [Milestone], windowDaysBefore: Int, windowDaysAfter: Int, linkDays: Int, answersPerLinkPerHour: Int,
            answersPerAddressPerHour: Int
        ) {
            self.milestones = milestones
            self.windowDaysBefore = windowDaysBefore
            self.windowDaysAfter = windowDaysAfter
            self.linkDays = linkDays
            self.answersPerLinkPerHour = answersPerLinkPerHour
            self.answersPerAddressPerHour = answersPerAddressPerHour
        }

        public struct Milestone: Codable, Sendable, Equatable {
            public var label: String
            public var days: Int
            public init(label: String, days: Int) {
                self.label = label
                self.days = days
            }
        }
    }

    /// Follow-up that sends itself: when a course's follow-up window opens, an invitation with a
    /// patient link on the patient's preferred consented channel, then reminders while it stays
    /// unanswered. A channel with an empty address or token is off.
    public struct Outbox: Codable, Sendable, Equatable {
        /// The sender runs inside `registry serve` when true (and `server.publicBaseUrl` is set).
        public var enabled: Bool
        /// Milestone labels to invite for; empty invites for every milestone.
        public var milestones: [String]
        /// A reminder goes this many days after the previous message, while unanswered…
        public var reminderAfterDays: Int
        /// …at most this many times per follow-up.
        public var maximumReminders: Int
        /// No message leaves from `quietFromHour` to `quietUntilHour` on the clinic's clock.
        public var quietFromHour: Int
        public var quietUntilHour: Int
        /// How often the sender looks for work.
        public var intervalSeconds: Double
        /// A message that failed this many times is given up.
        public var maximumAttempts: Int
        /// A claimed message is another sender's to send after this long without an answer from
        /// its sender (one that stopped, or lost the database, mid-send).
        public var leaseSeconds: Int
        public var line: Line
        public var sms: SMS

        /// The LINE Messaging API (push message) of the clinic's LINE Official Account.
        public struct Line: Codable, Sendable, Equatable {
            public var baseUrl: String
            public var channelAccessToken: String
        }

        /// An HTTPS SMS gateway: the request it takes, with `{{to}}` and `{{text}}` in the body
        /// (or the address); headers are written `Name: value`.
        public struct SMS: Codable, Sendable, Equatable {
            public var url: String
            public var method: String
            public var headers: [String]
            public var body: String
        }

        /// Nothing sent: for callers that do not send (the CLI, tools).
        public static let off = Outbox(
            enabled: false, milestones: [], reminderAfterDays: 3, maximumReminders: 2, quietFromHour: 21, quietUntilHour: 9, intervalSeconds: 30,
            maximumAttempts: 6, leaseSeconds: 60, line: Line(baseUrl: "https://api.line.me", channelAccessToken: ""),
            sms: SMS(url: "", method: "POST", headers: [], body: ""))

        /// The channels that can send: LINE with a channel access token, SMS with a gateway address.
        public var configuredChannels: [ContactChannel] {
            ContactChannel.allCases.filter { channel in
                switch channel {
                case .line: !line.channelAccessToken.isEmpty
                case .sms: !sms.url.isEmpty
                }
            }
        }

        public func quiet(hour: Int) -> Bool {
            quietFromHour <= quietUntilHour ? (quietFromHour..<quietUntilHour).contains(hour) : hour >= quietFromHour || hour < quietUntilHour
        }
    }

    public struct Database: Codable, Sendable, Equatable {
        /// `postgres://user:password@host:port/database`; empty means "start the private local cluster".
        public var url: String
        public var poolSize: Int
        public var statementTimeoutMs: Int
        /// A PostgreSQL streaming replica for reports, the dashboard and exports; empty: none.
        public var replicaUrl: String
        /// A replica further behind the primary than this is not read (the primary is).
        public var replicaMaxLagSeconds: Double
    }
}

/// The operational definitions' thresholds (CLINICAL.md).
public struct ClinicalRules: Codable, Sendable, Equatable {
    public var block: Block
    public var baseline: Baseline
    public var sessions: Sessions
    public var outcome: Outcome
    public var improvement: Improvement
    public var recurrence: Recurrence
    public var cohorts: [Cohort]

    public struct Block: Codable, Sendable, Equatable {
        public var positiveReliefPercent: Double
        public var assessmentWindowMinutes: MinuteWindow

        public init(positiveReliefPercent: Double, assessmentWindowMinutes: MinuteWindow) {
            self.positiveReliefPercent = positiveReliefPercent
            self.assessmentWindowMinutes = assessmentWindowMinutes
        }
    }

    public struct MinuteWindow: Codable, Sendable, Equatable {
        public var minimum: Int
        public var maximum: Int

        public init(minimum: Int, maximum: Int) {
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    public struct Baseline: Codable, Sendable, Equatable {
        public var windowDays: Int
        public var minimumNRS: Int
    }

    public struct Sessions: Codable, Sendable, Equatable {
        public var countedKinds: [ProcedureKind]
    }

    public struct Outcome: Codable, Sendable, Equatable {
        public var minimumDaysAfterSession: Int
    }

    public struct Improvement: Codable, Sendable, Equatable {
        public var reliefPercent: Double
        public var moderateReliefPercent: Double
        public var minimumPointDrop: Int
    }

    public struct Recurrence: Codable, Sendable, Equatable {
        public var minimumPointRise: Int
        public var requireConfirmation: Bool
        public var minimumDaysAfterImprovement: Int
    }

    public struct Cohort: Codable, Sendable, Equatable {
        public var label: String
        public var minimumSessions: Int
        public var maximumSessions: Int

        public init(label: String, minimumSessions: Int, maximumSessions: Int) {
            self.label = label
            self.minimumSessions = minimumSessions
            self.maximumSessions = maximumSessions
        }

        /// Whether a course improved after `sessions` sessions belongs here.
        public func contains(_ sessions: Int) -> Bool { (minimumSessions...maximumSessions).contains(sessions) }
    }
}

/// Configuration that cannot be used, with the key or variable at fault.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension RegistryConfig {
    /// Rejects values no clinic could mean, so a typo fails at start-up rather than skewing reports.
    public func validated() throws -> RegistryConfig {
        var v = Validator()
        _ = v.integer(server.port, "server.port", in: 0...65535)
        _ = v.integer(database.poolSize, "database.poolSize", in: 1...200)
        if !(0...86400).contains(database.replicaMaxLagSeconds) {
            v.fail("database.replicaMaxLagSeconds", "range", "must be from 0 to 86400")
        }
        _ = v.integer(auth.bcryptCost, "auth.bcryptCost", in: 4...31)
        _ = v.integer(auth.minimumPasswordLength, "auth.minimumPasswordLength", in: 12...1000)
        _ = v.integer(auth.sessionIdleMinutes, "auth.sessionIdleMinutes", in: 1...1440)
        _ = v.integer(auth.sessionMaxHours, "auth.sessionMaxHours", in: 1...168)
        _ = v.integer(auth.tokenDays, "auth.tokenDays", in: 1...3650)
        _ = v.integer(auth.slowdownAfterFailures, "auth.slowdownAfterFailures", in: 1...100)
        _ = v.integer(auth.lockoutAfterFailures, "auth.lockoutAfterFailures", in: auth.slowdownAfterFailures...1000)
        _ = v.integer(auth.lockoutMinutes, "auth.lockoutMinutes", in: 1...1440)
        for (value, field, range) in [
            (server.requestTimeoutSeconds, "server.requestTimeoutSeconds", 0.5...600.0),
            (server.analysisTimeoutSeconds, "server.analysisTimeoutSeconds", 0.5...86400.0),
            (server.shutdownSeconds, "server.shutdownSeconds", 0.0...600.0),
            (server.idleTimeoutSeconds, "server.idleTimeoutSeconds", 1.0...3600.0),
            (auth.credentialCacheSeconds, "auth.credentialCacheSeconds", 0.0...60.0),
        ] where !range.contains(value) {
            v.fail(field, "range", "must be from \(range.lowerBound.formatted()) to \(range.upperBound.formatted()) seconds")
        }
        func address(_ text: String, _ field: String, example: String) {
            let url = URL(string: text)
            if !["http", "https"].contains(url?.scheme ?? "") || (url?.host ?? "").isEmpty || url?.query != nil || url?.fragment != nil {
                v.fail(field, "url", "must be an http(s) address such as \(example)")
            }
        }
        if !server.publicBaseUrl.isEmpty { address(server.publicBaseUrl, "server.publicBaseUrl", example: "https://registry.example.org") }
        address(export.fhirSystemBase, "export.fhirSystemBase", example: "https://fhir.clinic.example.org/scn")
        if export.fhirSystemBase.hasSuffix("/") { v.fail("export.fhirSystemBase", "no_trailing_slash", "must not end with /") }
        if TimeZone(identifier: server.timeZone) == nil {
            v.fail("server.timeZone", "time_zone", "must be a time-zone name such as Europe/Berlin")
        }
        let c = clinical
        if !(1...100).contains(c.block.positiveReliefPercent) {
            v.fail("clinical.block.positiveReliefPercent", "range", "must be from 1 to 100")
        }
        let window = c.block.assessmentWindowMinutes
        if window.minimum < 0 || window.maximum > 120 || window.minimum > window.maximum {
            v.fail("clinical.block.assessmentWindowMinutes", "range", "must satisfy 0 ≤ minimum ≤ maximum ≤ 120")
        }
        _ = v.integer(c.baseline.windowDays, "clinical.baseline.windowDays", in: 0...365)
        _ = v.integer(c.baseline.minimumNRS, "clinical.baseline.minimumNRS", in: 1...10)
        _ = v.integer(c.outcome.minimumDaysAfterSession, "clinical.outcome.minimumDaysAfterSession", in: 0...365)
        for (key, value) in [("reliefPercent", c.improvement.reliefPercent), ("moderateReliefPercent", c.improvement.moderateReliefPercent)]
        where !(1...100).contains(value) {
            v.fail("clinical.improvement.\(key)", "range", "must be from 1 to 100")
        }
        _ = v.integer(c.improvement.minimumPointDrop, "clinical.improvement.minimumPointDrop", in: 0...10)
        _ = v.integer(c.recurrence.minimumPointRise, "clinical.recurrence.minimumPointRise", in: 0...10)
        _ = v.integer(c.recurrence.minimumDaysAfterImprovement, "clinical.recurrence.minimumDaysAfterImprovement", in: 0...3650)
        for (index, cohort) in c.cohorts.enumerated() where cohort.minimumSessions < 1 || cohort.minimumSessions > cohort.maximumSessions {
            v.fail("clinical.cohorts[\(index)]", "range", "must satisfy 1 ≤ minimumSessions ≤ maximumSessions")
        }
        for (i, a) in c.cohorts.enumerated() {
            for (j, b) in c.cohorts.enumerated() where j > i {
                if a.label == b.label {
                    v.fail("clinical.cohorts[\(j)]", "unique", "repeats the label \"\(a.label)\" of clinical.cohorts[\(i)]")
                } else if a.minimumSessions <= b.maximumSessions && b.minimumSessions <= a.maximumSessions {
                    v.fail(
                        "clinical.cohorts[\(j)]", "overlap",
                        "\"\(b.label)\" overlaps \"\(a.label)\" (clinical.cohorts[\(i)]): cohorts must not share a session count")
                }
            }
        }
        let f = followUp
        if f.milestones.isEmpty || f.milestones.contains(where: { $0.days < 1 || $0.label.isEmpty })
            || zip(f.milestones, f.milestones.dropFirst()).contains(where: { $0.days >= $1.days })
        {
            v.fail("followUp.milestones", "range", "must list labelled milestones at increasing days ≥ 1")
        }
        _ = v.integer(f.windowDaysBefore, "followUp.windowDaysBefore", in: 0...90)
        _ = v.integer(f.windowDaysAfter, "followUp.windowDaysAfter", in: 0...180)
        _ = v.integer(f.linkDays, "followUp.linkDays", in: 1...365)
        _ = v.integer(f.answersPerLinkPerHour, "followUp.answersPerLinkPerHour", in: 1...1000)
        _ = v.integer(f.answersPerAddressPerHour, "followUp.answersPerAddressPerHour", in: 1...100000)
        let o = outbox
        _ = v.integer(o.reminderAfterDays, "outbox.reminderAfterDays", in: 1...90)
        _ = v.integer(o.maximumReminders, "outbox.maximumReminders", in: 0...10)
        _ = v.integer(o.quietFromHour, "outbox.quietFromHour", in: 0...23)
        _ = v.integer(o.quietUntilHour, "outbox.quietUntilHour", in: 0...23)
        _ = v.integer(o.maximumAttempts, "outbox.maximumAttempts", in: 1...100)
        _ = v.integer(o.leaseSeconds, "outbox.leaseSeconds", in: 1...3600)
        if !(0.05...3600).contains(o.intervalSeconds) { v.fail("outbox.intervalSeconds", "range", "must be from 0.05 to 3,600 seconds") }
        for label in o.milestones where !f.milestones.contains(where: { $0.label == label }) {
            v.fail("outbox.milestones", "known", "names \"\(label)\", which is not one of followUp.milestones")
        }
        if !o.line.channelAccessToken.isEmpty { address(o.line.baseUrl, "outbox.line.baseUrl", example: "https://api.line.me") }
        if !o.sms.url.isEmpty {
            address(o.sms.url, "outbox.sms.url", example: "https://sms.example.com.tw/send")
            if !["POST", "PUT", "GET"].contains(o.sms.method) { v.fail("outbox.sms.method", "one_of", "must be POST, PUT or GET") }
            if o.sms.headers.contains(where: { !$0.contains(":") }) { v.fail("outbox.sms.headers", "format", "must be written Name: value") }
            if !o.sms.body.contains("{{to}}") && !o.sms.url.contains("{{to}}") || !(o.sms.body + o.sms.url).contains("{{text}}") {
                v.fail("outbox.sms.body", "template", "must contain {{to}} and {{text}} (in the body or the address)")
            }
        }
        if o.enabled && server.publicBaseUrl.isEmpty {
            v.fail("server.publicBaseUrl", "required", "must be set when outbox.enabled is true: messages carry links to it")
        }
        guard v.problems.isEmpty else {
            throw ConfigError(v.problems.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
        }
        return self
    }

    public var clinicTimeZone: TimeZone { TimeZone(identifier: server.timeZone) ?? .gmt }

    /// Today on the clinic's calendar.
    public func today(now: Date = Date()) -> CalendarDate { CalendarDate(now, in: clinicTimeZone) }
}
