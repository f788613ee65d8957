// swift-tools-version:6.2
// Utväg Hub: a multi-agency collaboration hub over ZeroMQ.
// Shared kit in Sources/, one folder per deployable service in services/.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "utvag-hub",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hub", targets: ["hub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Reads .docx minutes (a ZIP archive); small, with the system's zlib.
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        // libzmq (Debian libzmq3-dev) with CURVE through libsodium.
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: strict),
        // libxml2 (Debian libxml2-dev): XML Schema validation of Kriminalvården documents.
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "HubProtocol", swiftSettings: strict),
        // Typed contracts (issue 13): each service's request and reply types, error reasons and
        // vocabulary, shared by the service, its web module and the test stubs.
        // Registration's messages are the same for networks and training: once, here.
        .target(name: "RegistrationAPI", dependencies: ["HubProtocol"], swiftSettings: strict),
        .target(name: "NetworksAPI", dependencies: ["HubProtocol", "RegistrationAPI"], path: "services/networks/API", swiftSettings: strict),
        .target(name: "TrainingAPI", dependencies: ["HubProtocol", "RegistrationAPI"], path: "services/training/API", swiftSettings: strict),
        .target(
            name: "HubStorage",
            dependencies: [
                "HubProtocol",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        .target(
            name: "HubCore",
            dependencies: [
                "HubProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HubBus",
            dependencies: [
                "ZeroMQ", "HubProtocol", "HubCore", "HubStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The web kit the gateway and every service's web module share: request context, layout,
        // languages, error map, page rendering, the public registration pages, the bus helpers.
        .target(
            name: "HubWeb",
            dependencies: [
                "HubCore", "HubProtocol", "RegistrationAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.embedInCode("templates")],
            swiftSettings: strict
        ),
        // Each service's contract: Codable request and reply types of its messages, its error
        // reasons and its vocabulary (codes with Swedish and English names).
        .target(name: "ReferralsAPI", dependencies: ["HubProtocol"], path: "services/referrals/API", swiftSettings: strict),
        .target(name: "MeetingsAPI", dependencies: ["HubProtocol"], path: "services/meetings/API", swiftSettings: strict),
        // Each service's web face (pages, JSON API, templates, strings, OpenAPI), in its own folder.
        .target(name: "ReferralsWeb", dependencies: ["HubWeb", "HubCore", "HubProtocol", "ReferralsAPI", .product(name: "Hummingbird", package: "hummingbird")],
                path: "services/referrals/Web", resources: [.embedInCode("templates")], swiftSettings: strict),
        .target(name: "MeetingsWeb", dependencies: ["HubWeb", "HubCore", "HubProtocol", "MeetingsAPI", "ReferralsAPI", .product(name: "Hummingbird", package: "hummingbird")],
                path: "services/meetings/Web", resources: [.embedInCode("templates")], swiftSettings: strict),
        .target(name: "NetworksWeb", dependencies: ["HubWeb", "HubCore", "HubProtocol", "NetworksAPI", .product(name: "Hummingbird", package: "hummingbird")],
                path: "services/networks/Web", resources: [.embedInCode("templates")], swiftSettings: strict),
        .target(name: "TrainingWeb", dependencies: ["HubWeb", "HubCore", "HubProtocol", "TrainingAPI", .product(name: "Hummingbird", package: "hummingbird")],
                path: "services/training/Web", resources: [.embedInCode("templates")], swiftSettings: strict),
        .target(
            name: "HubGateway",
            dependencies: [
                "HubBus", "HubCore", "HubProtocol", "HubStorage", "HubWeb", "ReferralsAPI",
                "ReferralsWeb", "MeetingsWeb", "NetworksWeb", "TrainingWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"],
            resources: [.embedInCode("templates")],
            swiftSettings: strict
        ),
        // The shared registration engine (seats, waiting list, links, exports) used by networks and training.
        .target(
            name: "HubRegistration",
            dependencies: ["HubMail", "HubStorage", "HubProtocol", "HubCore", "RegistrationAPI", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Deployable services: each owns its handlers, migrations and README.
        .target(name: "ReferralsService", dependencies: ["HubBus", "HubProtocol", "HubStorage", "HubCore", "ReferralsAPI"],
                path: "services/referrals", exclude: ["README.md", "Web", "API"], swiftSettings: strict),
        // E-mail: the SMTP client, MIME messages and the outbox that meetings and networks share.
        .target(name: "HubMail", dependencies: ["HubProtocol", "HubStorage", .product(name: "Logging", package: "swift-log")]),
        .target(name: "MeetingsService", dependencies: ["HubBus", "HubProtocol", "HubStorage", "HubCore", "HubMail", "MeetingsAPI", .product(name: "Crypto", package: "swift-crypto"),
                                                 .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                path: "services/meetings", exclude: ["README.md", "Web", "API"], swiftSettings: strict),
        .target(name: "NetworksService", dependencies: ["HubBus", "HubProtocol", "HubStorage", "HubCore", "HubRegistration", "HubMail", "NetworksAPI"],
                path: "services/networks", exclude: ["README.md", "Web", "API"], swiftSettings: strict),
        .target(name: "TrainingService", dependencies: ["HubBus", "HubProtocol", "HubStorage", "HubCore", "HubRegistration", "HubMail", "TrainingAPI", "NetworksAPI", "ReferralsAPI"],
                path: "services/training", exclude: ["README.md", "Web", "API"], swiftSettings: strict),
        .target(name: "AgencyAdapters", dependencies: ["HubBus", "HubProtocol", "HubStorage", "HubCore", "CLibXML2", "ReferralsAPI",
                                                       .product(name: "Hummingbird", package: "hummingbird"),
                                                       .product(name: "Crypto", package: "swift-crypto"),
                                                       .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                path: "services/adapters", exclude: ["README.md", "police/README.md", "municipality/README.md",
                                                     "psychiatry/README.md", "kriminalvarden/README.md"],
                swiftSettings: strict),
        // `hub backup` / `hub restore`: SQLite's online backup API, the manifest, pg_dump/pg_restore.
        .target(name: "HubBackup", dependencies: ["HubProtocol", .product(name: "SQLiteNIO", package: "sqlite-nio"),
                                                  .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        .executableTarget(
            name: "hub",
            dependencies: [
                "ZeroMQ", "HubProtocol", "HubStorage", "HubCore", "HubBus", "HubGateway", "HubWeb", "HubBackup",
                "ReferralsService", "ReferralsAPI", "MeetingsService", "MeetingsAPI", "NetworksService", "TrainingService", "AgencyAdapters",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Shared by the test targets: the backends to run on, scratch databases, paths, clocks,
        // dispatcher harnesses, a real broker for bus-level tests.
        .target(name: "HubTestSupport", dependencies: ["HubStorage", "HubProtocol", "HubBus", "HubCore", .product(name: "Logging", package: "swift-log")],
                path: "Tests/HubTestSupport"),
        // Fuzz targets (scripts/fuzz.sh builds them with libFuzzer; built normally they replay
        // their seeds and every crash found, see Tests/Fuzz/README.md).
        .executableTarget(name: "HubFuzz", dependencies: ["HubProtocol", "HubCore", "AgencyAdapters", "MeetingsService", "HubWeb", "ReferralsAPI"],
                          path: "Tests/Fuzz/HubFuzz"),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "HubProtocolTests", dependencies: ["HubProtocol"]),
        .testTarget(name: "HubStorageTests", dependencies: ["HubTestSupport", "HubStorage", "HubProtocol"]),
        .testTarget(name: "HubBackupTests", dependencies: ["HubBackup", "HubStorage", "HubProtocol", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "HubCoreTests", dependencies: ["HubCore", "HubProtocol"]),
        .testTarget(name: "ReferralsServiceTests", dependencies: ["HubTestSupport", "ReferralsService", "ReferralsAPI", "HubBus", "HubCore", "HubProtocol", "HubStorage"]),
        .testTarget(name: "MeetingsServiceTests", dependencies: ["HubTestSupport", "MeetingsService", "MeetingsAPI", "HubMail", "HubBus", "HubCore", "HubProtocol", "HubStorage"],
                    exclude: ["minutes-corpus"]),
        .testTarget(name: "HubBusTests", dependencies: ["HubTestSupport", "HubBus", "ZeroMQ", "HubProtocol", "HubCore", "HubStorage",
                                                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "HubRegistrationTests", dependencies: [
            "HubTestSupport",
            "HubRegistration", "NetworksService", "NetworksAPI", "RegistrationAPI", "HubBus", "HubStorage", "HubProtocol", "HubCore",
        ]),
        .testTarget(name: "AgencyAdaptersTests", dependencies: [
            "HubTestSupport",
            "AgencyAdapters", "HubBus", "HubCore", "HubProtocol", "HubStorage", "ReferralsService", "ReferralsAPI",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "TrainingServiceTests", dependencies: [
            "HubTestSupport",
            "TrainingService", "TrainingAPI", "NetworksAPI", "RegistrationAPI", "ReferralsAPI", "HubRegistration", "HubBus", "HubStorage", "HubProtocol", "HubCore",
        ]),
        .testTarget(name: "HubGatewayTests", dependencies: [
            "HubGateway", "HubWeb", "ReferralsWeb", "MeetingsWeb", "NetworksWeb", "TrainingWeb", "NetworksAPI", "TrainingAPI", "RegistrationAPI",
            "HubBus", "HubProtocol", "HubStorage",
            "HubCore", "HubTestSupport", "ReferralsService", "ReferralsAPI", "MeetingsAPI",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
