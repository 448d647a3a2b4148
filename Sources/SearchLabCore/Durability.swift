// fsync for files and directories: a rename is durable only once the directory that holds
// it is synced, and a file's bytes only once the file is. Used before a database commit
// names a file, so a record never outlives the bytes it points to.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Flushes files and directories to stable storage.
public enum Durability {
    /// `fsync` of the file or directory at `url`.
    /// - Throws: ``SearchLabError`` naming the path and the system's reason.
    public static func sync(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SearchLabError("\(url.path): cannot open to sync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SearchLabError("\(url.path): fsync failed: \(String(cString: strerror(errno)))") }
    }

    /// Syncs every regular file directly in `directory`, then the directory itself.
    public static func syncTree(_ directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in names {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                try sync(url)
            }
        }
        try sync(directory)
    }
}
