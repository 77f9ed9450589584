import Foundation
import RegistryCore
import Testing

@Suite struct ConfigTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Config/registry.json")

    @Test func defaultsAreTheThresholdsOfTheClinicalSpecification() throws {
        let rules = try RegistryConfig.load(file: Self.file, environment: [:]).clinical
        #expect(rules.block.positiveReliefPercent == 50)
        #expect(rules.block.assessmentWindowMinutes.minimum == 5 && rules.block.assessmentWindowMinutes.maximum == 60)
        #expect(rules.baseline.windowDays == 30 && rules.baseline.minimumNRS == 4)
        #expect(rules.sessions.countedKinds == [.hydrodissection, .prp, .dextrose])
        #expect(rules.outcome.minimumDaysAfterSession == 7)
        #expect(rules.improvement.reliefPercent == 50 && rules.improvement.moderateReliefPercent == 30 && rules.improvement.minimumPointDrop == 2)
        #expect(rules.recurrence.minimumPointRise == 2 && rules.recurrence.requireConfirmation && rules.recurrence.minimumDaysAfterImprovement == 30)
        #expect(rules.cohorts.map(\.label) == ["1-2", "3-5"])
    }

    @Test func environmentVariablesOverrideLeaves() throws {
        let config = try RegistryConfig.load(
            file: Self.file,
            environment: [
                "REGISTRY_CLINICAL_BLOCK_POSITIVE_RELIEF_PERCENT": "60",
                "REGISTRY_CLINICAL_RECURRENCE_REQUIRE_CONFIRMATION": "false",
                "REGISTRY_SERVER_HOST": "0.0.0.0",
                "DATABASE_URL": "postgres://a:b@db:5432/registry",
                "REGISTRY_CLINICAL_COHORTS": #"[{"label":"1","minimumSessions":1,"maximumSessions":1}]"#,
            ])
        #expect(config.clinical.block.positiveReliefPercent == 60)
        #expect(!config.clinical.recurrence.requireConfirmation)
        #expect(config.server.host == "0.0.0.0")
        #expect(config.database.url == "postgres://a:b@db:5432/registry")
        #expect(config.clinical.cohorts.count == 1)
    }

    @Test func everyLeafHasAVariableName() throws {
        let names = try RegistryConfig.settings(file: Self.file, environment: [:]).map(\.variable)
        #expect(names.contains("REGISTRY_CLINICAL_BASELINE_MINIMUM_NRS"))
        #expect(names.contains("REGISTRY_SERVER_PORT"))
        #expect(names.contains("REGISTRY_CLINICAL_OUTCOME_MINIMUM_DAYS_AFTER_SESSION"))
    }

    @Test func overlappingCohortsAreRefusedNamingTheSetting() throws {
        let overlapping = #"[{"label":"1-3","minimumSessions":1,"maximumSessions":3},{"label":"3-5","minimumSessions":3,"maximumSessions":5}]"#
        let error = try #require(throws: ConfigError.self) {
            try RegistryConfig.load(file: Self.file, environment: ["REGISTRY_CLINICAL_COHORTS": overlapping])
        }
        #expect(error.description.contains("clinical.cohorts[1]") && error.description.contains("overlaps"))
        // Cohorts with a gap between them are allowed (the gap is reported as "other").
        let gapped = #"[{"label":"1","minimumSessions":1,"maximumSessions":1},{"label":"3-5","minimumSessions":3,"maximumSessions":5}]"#
        #expect(try RegistryConfig.load(file: Self.file, environment: ["REGISTRY_CLINICAL_COHORTS": gapped]).clinical.cohorts.count == 2)
    }

    @Test(arguments: [
        ("REGISTRY_SERVER_PORT", "eighty", "REGISTRY_SERVER_PORT"),
        ("REGISTRY_SERVER_PORT", "70000", "server.port"),
        ("REGISTRY_CLINICAL_BLOCK_POSITIVE_RELIEF_PERCENT", "0", "clinical.block.positiveReliefPercent"),
        ("REGISTRY_SERVER_TIME_ZONE", "Mars/Olympus", "server.timeZone"),
        ("REGISTRY_SERVER_REQUEST_TIMEOUT_SECONDS", "0", "server.requestTimeoutSeconds"),
        ("REGISTRY_SERVER_SHUTDOWN_SECONDS", "-1", "server.shutdownSeconds"),
        ("REGISTRY_CLINICAL_SESSIONS_COUNTED_KINDS", #"["massage"]"#, "clinical.sessions.countedKinds"),
    ])
    func unusableValuesFailWithTheKeyNamed(_ variable: String, _ value: String, _ named: String) throws {
        let error = try #require(throws: ConfigError.self) { try RegistryConfig.load(file: Self.file, environment: [variable: value]) }
        #expect(error.description.contains(named), "\(error)")
    }
}
