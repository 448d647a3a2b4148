// swift-tools-version:6.1
// SearchLab — a simulation-first lab for search-augmented RL of language models.
// The module graph is described in ARCHITECTURE.md; dependencies point one way,
// from the `searchlab` executable down to `SearchLabCore`.
import PackageDescription

let package = Package(
    name: "SearchLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "searchlab", targets: ["searchlab"]),
        .library(name: "SearchLabCore", targets: ["SearchLabCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // MARK: - C libraries (system packages, see scripts/bootstrap)
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"]), .brew(["graphviz"])]),

        // MARK: - Build provenance (the commit, embedded before each build)
        .plugin(
            name: "BuildInfoPlugin",
            capability: .buildTool()),
        .target(
            name: "SearchLabBuildInfo",
            plugins: ["BuildInfoPlugin"]),

        // MARK: - Layers, bottom up
        .target(
            name: "SearchLabCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "SearchLabRetrieval",
            dependencies: ["SearchLabCore"]),
        .target(
            name: "SearchLabWorld",
            dependencies: ["SearchLabCore"]),
        .target(
            name: "SearchLabEngines",
            dependencies: [
                "SearchLabCore", "SearchLabRetrieval", "SearchLabWorld",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(
            name: "SearchLabServer",
            dependencies: [
                "SearchLabCore", "SearchLabEngines",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "CSearchLabKernels"),
        .target(
            name: "SearchLabTensor",
            dependencies: ["COpenBLAS", "CSearchLabKernels"]),
        .target(
            name: "SearchLabPolicy",
            dependencies: ["SearchLabCore", "SearchLabTensor"]),
        .target(
            name: "SearchLabStore",
            dependencies: [
                "SearchLabCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(
            name: "SearchLabTrainer",
            dependencies: [
                "SearchLabCore", "SearchLabTensor", "SearchLabPolicy", "SearchLabEngines", "SearchLabWorld", "SearchLabStore",
                .product(name: "Yams", package: "Yams"),
            ]),
        .target(
            name: "SearchLabAnalysis",
            dependencies: [
                "SearchLabCore", "SearchLabStore", "CGraphviz",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(
            name: "SearchLabReplay",
            dependencies: ["SearchLabCore", "SearchLabPolicy", "SearchLabStore", "SearchLabEngines", "SearchLabTrainer", "SearchLabAnalysis"]),
        .target(
            name: "SearchLabReport",
            dependencies: [
                "SearchLabCore", "SearchLabStore", "SearchLabAnalysis",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(
            name: "searchlab",
            dependencies: [
                "SearchLabCore", "SearchLabRetrieval", "SearchLabWorld", "SearchLabEngines",
                "SearchLabServer", "SearchLabTensor", "SearchLabPolicy", "SearchLabStore", "SearchLabTrainer",
                "SearchLabAnalysis", "SearchLabReport", "SearchLabReplay", "SearchLabBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: - Tests
        .target(
            name: "SearchLabTestSupport",
            dependencies: ["SearchLabCore"],
            path: "Tests/SearchLabTestSupport"),
        .testTarget(
            name: "SearchLabCoreTests",
            dependencies: ["SearchLabCore", "SearchLabTestSupport"]),
        .testTarget(
            name: "SearchLabReportTests",
            dependencies: ["SearchLabReport", "SearchLabStore", "SearchLabTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "SearchLabTensorTests",
            dependencies: ["SearchLabTensor", "SearchLabTestSupport"]),
        .testTarget(
            name: "SearchLabPolicyTests",
            dependencies: ["SearchLabPolicy", "SearchLabCore", "SearchLabTestSupport"]),
        .testTarget(
            name: "SearchLabStoreTests",
            dependencies: ["SearchLabStore", "SearchLabTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "SearchLabAnalysisTests",
            dependencies: ["SearchLabAnalysis", "SearchLabStore", "SearchLabTestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "SearchLabReplayTests",
            dependencies: [
                "SearchLabReplay", "SearchLabStore", "SearchLabPolicy", "SearchLabEngines", "SearchLabTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "SearchLabCLITests",
            dependencies: ["SearchLabTestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "SearchLabTrainerTests",
            dependencies: ["SearchLabTrainer", "SearchLabPolicy", "SearchLabTensor", "SearchLabWorld", "SearchLabTestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "SearchLabWorldTests",
            dependencies: ["SearchLabWorld", "SearchLabTestSupport"]),
        .testTarget(
            name: "SearchLabRetrievalTests",
            dependencies: ["SearchLabRetrieval", "SearchLabTestSupport"]),
        .testTarget(
            name: "SearchLabEnginesTests",
            dependencies: [
                "SearchLabEngines", "SearchLabTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "SearchLabServerTests",
            dependencies: ["SearchLabServer", "SearchLabEngines", "SearchLabTestSupport"]),
    ]
)
