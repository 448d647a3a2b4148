// A read-only memory map of a whole file.
import Foundation
import SearchLabCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a file mapped read-only into memory; unmapped when released.
final class MemoryMap: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    /// - Throws: ``SearchLabError`` when the file cannot be opened or mapped.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be opened (errno \(errno))"
            throw SearchLabError("\(path): the index file \(reason)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SearchLabError("\(path): cannot read the file size") }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SearchLabError("\(path): cannot memory-map the index (errno \(errno))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
