// Writing export outputs without leaving half a file: everything goes to a temporary name
// in the same folder and is renamed into place.
import Foundation
import SearchLabCore

/// Atomic file and folder writes for exports, and relative paths between them.
public enum ExportFiles {
    /// Writes `data` to `path` atomically (temporary file, then rename).
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw SearchLabError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Replaces folder `path` with one holding exactly `files` (relative path → bytes), built
    /// aside first so a failure leaves the old folder intact.
    /// - Parameter ours: whether an existing folder's entries show it was written by us; a
    ///   folder that is not is never deleted (a mistyped `--out .` must not wipe a project).
    public static func replaceFolder(_ path: String, with files: [(name: String, data: Data)],
                                     ours: ([String]) -> Bool) throws {
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: path), !existing.isEmpty, !ours(existing.sorted()) {
            throw SearchLabError("\(path) exists and was not written by searchlab; pick another output or remove it")
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw SearchLabError("\(path) exists and is a file, not a folder")
        }
        let staging = path + ".partial"
        try? fm.removeItem(atPath: staging)
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for file in files {
            let url = URL(fileURLWithPath: staging).appendingPathComponent(file.name)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.data.write(to: url)
        }
        try? fm.removeItem(atPath: path)
        try fm.moveItem(atPath: staging, toPath: path)
    }

    /// `target` relative to `directory` (both made absolute), e.g. `../fixtures/runs/x.sqlite`.
    public static func relativePath(of target: String, from directory: String) -> String {
        let to = URL(fileURLWithPath: target).standardized.pathComponents
        let from = URL(fileURLWithPath: directory).standardized.pathComponents
        var common = 0
        while common < min(to.count, from.count), to[common] == from[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
