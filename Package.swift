// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "scn-registry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "registry", targets: ["registry"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The outbox's channels: the LINE Messaging API and an HTTPS SMS gateway.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Tests only: a real CSV parser and a real zip reader check what the export writes.
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        .target(
            name: "RegistryCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryAnalytics",
            dependencies: ["RegistryCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryStore",
            dependencies: [
                "RegistryCore",
                "RegistryAnalytics",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("ExportScripts")],
            swiftSettings: swiftSettings
        ),
        // Development tools: the private local cluster, demo and benchmark data. The CLI and the
        // tests use them; the server's production path (RegistryApp) does not link them.
        .target(
            name: "RegistryDevTools",
            dependencies: [
                "RegistryCore",
                "RegistryStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryAPI",
            dependencies: ["RegistryCore"],
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        // What a person sees, with no I/O: mustache templates and the zh-TW and English catalogues.
        .target(
            name: "RegistryWeb",
            dependencies: ["RegistryCore", "RegistryAnalytics", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates"), .copy("Strings"), .copy("Assets")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryApp",
            dependencies: [
                "RegistryCore",
                "RegistryStore",
                "RegistryWeb",
                "RegistryAPI",
                "RegistryAnalytics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "registry",
            dependencies: [
                "RegistryCore",
                "RegistryStore",
                "RegistryDevTools",
                "RegistryAnalytics",
                "RegistryApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryTestSupport",
            dependencies: [
                "RegistryCore", "RegistryStore", "RegistryDevTools",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RegistryTestSupport",
            // Python the tests run from the checkout (contract check, browser walks, fuzzer hooks), not built into the target.
            exclude: [
                "contract_check.py", "fhir_check.py", "browser_check.py", "browser_support.py", "dashboard_check.py", "follow_up_check.py",
                "fuzz_hooks.py", "fake_gateway.py",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryCoreTests",
            dependencies: ["RegistryCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "registryTests",
            dependencies: [
                "registry", "RegistryCore", "RegistryStore", "RegistryApp", "RegistryTestSupport", "RegistryDevTools",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryWebTests",
            dependencies: ["RegistryWeb"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryAnalyticsTests",
            dependencies: ["RegistryCore", "RegistryAnalytics"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryStoreTests",
            dependencies: ["RegistryCore", "RegistryStore", "RegistryDevTools", "RegistryTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryAppTests",
            dependencies: [
                "RegistryCore", "RegistryStore", "RegistryApp", "RegistryAPI", "RegistryTestSupport", "RegistryDevTools",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
