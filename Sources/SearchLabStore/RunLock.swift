// One trainer per run: an exclusive `flock` on a file beside the run's checkpoints. The
// kernel drops the lock when its process ends, however it ends, so a lock left by a killed
// trainer is taken over by the next one without any clean-up; the file's text (pid, start
// time, host) only serves the message of whoever is refused.
import Foundation
import SearchLabCore
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock held for the life of the object (or until ``release()``).
public final class RunLock {
    public let path: String
    private var descriptor: Int32

    /// Takes the lock at `path` (created with its directory if missing) without waiting.
    /// - Parameter owner: what the refusal names, e.g. `run r`.
    /// - Throws: ``SearchLabError`` at once when another live process holds it:
    ///   `<owner> is being trained by process 4711 since <time> on <host>`.
    public init(path: String, owner: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SearchLabError("\(path): cannot open the run lock: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            descriptor = -1
            throw SearchLabError("\(owner) is being trained by \(holder.flatMap { $0.isEmpty ? nil : $0 } ?? "another process"); "
                                 + "wait for it to finish or stop it (lock \(path))")
        }
        let since = ISO8601DateFormatter().string(from: Date())
        let text = "process \(getpid()) since \(since) on \(ProcessInfo.processInfo.hostName)\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Gives the lock up (also done when the object goes away or the process ends).
    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
