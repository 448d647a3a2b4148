// Shared helpers for SearchLab's test targets: fixture paths, snapshots, and running the
// built `searchlab` binary.
import Foundation

/// Paths inside the repository, found from this file's location so tests run from anywhere.
public enum Fixtures {
    /// The repository root.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `fixtures/<relative>`.
    public static func url(_ relative: String) -> URL {
        root.appendingPathComponent("fixtures").appendingPathComponent(relative)
    }

    /// The text of `fixtures/<relative>`.
    public static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }

    /// A fresh temporary directory, removed by the caller when done.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("searchlab-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Compares text against a golden file under `Tests/<target>/Snapshots/<name>`.
///
/// When the file is missing or `RECORD_SNAPSHOTS=1` is set, the text is written as the new
/// baseline and the check fails with "Recorded new baseline" so that recording is never silent.
/// - Returns: a failure message, or `nil` when the text matches.
public func snapshotMismatch(_ actual: String, named name: String, filePath: String = #filePath) -> String? {
    let dir = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = dir.appendingPathComponent(name)
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    if record || !FileManager.default.fileExists(atPath: file.path) {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        return "Recorded new baseline at \(file.path); run again to compare"
    }
    let expected = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    if expected == actual { return nil }
    return "snapshot \(name) differs; re-record with RECORD_SNAPSHOTS=1 if the change is intended.\n--- expected\n\(expected)\n--- actual\n\(actual)"
}

/// The result of running the `searchlab` binary.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the built `searchlab` executable (next to the test bundle) with a fixed terminal
/// width, so help text is stable.
public func runSearchlab(_ arguments: [String], stdin: String? = nil,
                         environment extra: [String: String] = [:], in directory: URL? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = searchlabBinary()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "100"
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Drain both pipes concurrently with the child so large outputs cannot deadlock it.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// `.build/<triple>/debug/searchlab`, beside the running test bundle.
public func searchlabBinary() -> URL {
    var dir = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("searchlab")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("searchlab")
}
