// swift-tools-version:6.1
// VoiceGate: a SIP/RTP voice IVR gateway. Targets and their allowed imports follow
// ../shared/DESIGN.md section 3: pure cores inside, IO at the edges, dependencies inward only.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Hot DSP loops are only fast with optimisation and without exclusivity checks in release.
let dspSettings: [SwiftSetting] = strictSettings + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "VoiceGate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "voicegate", targets: ["voicegate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // System libraries (pkg-config + apt provider), each with a prefixed shim header.
        .systemLibrary(
            name: "COpus", pkgConfig: "opus",
            providers: [.apt(["libopus-dev"])]),
        .systemLibrary(
            name: "CEspeakNG", pkgConfig: "espeak-ng",
            providers: [.apt(["libespeak-ng-dev"])]),
        .systemLibrary(
            name: "CALSA", pkgConfig: "alsa",
            providers: [.apt(["libasound2-dev"])]),

        // Pure cores.
        .target(name: "VoiceGateDSP", swiftSettings: dspSettings),
        .target(
            name: "VoiceGateCodecs",
            dependencies: ["VoiceGateDSP", "COpus"],
            swiftSettings: dspSettings),
        .target(
            name: "VoiceGateSpeech",
            dependencies: ["VoiceGateDSP", "CEspeakNG"],
            swiftSettings: strictSettings),
        .target(
            name: "VoiceGateDialog",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings),
        .target(
            name: "VoiceGatePrompts",
            dependencies: ["VoiceGateDSP", "VoiceGateCodecs", "VoiceGateSpeech", "VoiceGateDialog",
                           .product(name: "Yams", package: "Yams"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        // Bank backends at the edge: the embedded SQLite demo bank and the HTTP webhook.
        .target(
            name: "VoiceGateBank",
            dependencies: ["VoiceGateDialog", "VoiceGateStore", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        .target(
            name: "VoiceGateMedia",
            dependencies: ["VoiceGateDSP", "VoiceGateCodecs", "VoiceGateSpeech", "VoiceGateDialog",
                           "VoiceGatePrompts"],
            swiftSettings: strictSettings),
        // The local sound card (ALSA) driver of `voicegate console`.
        .target(
            name: "VoiceGateConsole",
            dependencies: ["CALSA", "VoiceGateDSP", "VoiceGateDialog", "VoiceGateMedia"],
            swiftSettings: strictSettings),

        // SIP and RTP as values and state machines (no sockets): the gateway's protocol cores.
        .target(
            name: "SIPCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings),
        .target(
            name: "RTPCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings),

        // Call records, events, transfers, versions and the audit trail (GRDB over SQLite, WAL).
        .target(
            name: "VoiceGateStore",
            dependencies: ["VoiceGateDialog", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: strictSettings),

        // The gateway: NIO transports, the SIP call controller, per-call media loops.
        .target(
            name: "VoiceGateServer",
            dependencies: ["SIPCore", "RTPCore", "VoiceGateMedia", "VoiceGateCodecs", "VoiceGateDialog",
                           "VoiceGatePrompts", "VoiceGateBank", "VoiceGateStore",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: strictSettings),

        // The thin CLI.
        .executableTarget(
            name: "voicegate",
            dependencies: ["VoiceGateDSP", "VoiceGateCodecs", "VoiceGateSpeech", "VoiceGateDialog",
                           "VoiceGatePrompts", "VoiceGateMedia", "VoiceGateBank", "VoiceGateConsole",
                           "VoiceGateServer", "VoiceGateStore", .product(name: "Logging", package: "swift-log"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),

        // Test support: manual clock, generated fixtures.
        .target(
            name: "VoiceGateTestSupport",
            dependencies: ["VoiceGateDSP", "VoiceGateCodecs"],
            swiftSettings: strictSettings),

        .testTarget(
            name: "VoiceGateDSPTests",
            dependencies: ["VoiceGateDSP", "VoiceGateTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGateCodecsTests",
            dependencies: ["VoiceGateCodecs", "VoiceGateDSP", "VoiceGateTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGateDialogTests",
            dependencies: ["VoiceGateDialog", "VoiceGateTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGatePromptsTests",
            dependencies: ["VoiceGatePrompts", "VoiceGateSpeech", "VoiceGateDialog", "VoiceGateCodecs", "VoiceGateDSP",
                           "VoiceGateTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SIPCoreTests",
            dependencies: ["SIPCore", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RTPCoreTests",
            dependencies: ["RTPCore", "VoiceGateTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGateBankTests",
            dependencies: ["VoiceGateBank", "VoiceGateDialog"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGateStoreTests",
            dependencies: ["VoiceGateStore", "VoiceGateDialog", "VoiceGateTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGateMediaTests",
            dependencies: ["VoiceGateMedia", "VoiceGateDialog", "VoiceGateDSP", "VoiceGateTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGateServerTests",
            dependencies: ["VoiceGateServer", "VoiceGateStore", "VoiceGateDialog", "SIPCore", "RTPCore", "VoiceGateCodecs", "VoiceGateDSP",
                           "VoiceGateTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VoiceGateCLITests",
            dependencies: ["VoiceGateTestSupport", "VoiceGateCodecs", "VoiceGateDSP", "VoiceGateDialog",
                           "VoiceGatePrompts", "VoiceGateSpeech"],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
