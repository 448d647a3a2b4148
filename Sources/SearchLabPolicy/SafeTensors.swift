// The safetensors file format: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then raw little-endian data.
import Foundation
import SearchLabCore

/// Reads and writes `.safetensors` files of F32 tensors.
public enum SafeTensors {
    /// One tensor's header entry.
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var shape: [Int]
        /// Byte range within the data section.
        public var byteRange: Range<Int>
    }

    /// A parsed file: entries (sorted by offset), metadata, and the data section.
    public struct File: Sendable {
        public var entries: [Entry]
        public var metadata: [String: String]
        public var data: Data

        /// The values of tensor `name`, or nil when absent.
        public func floats(_ name: String) -> [Float]? {
            guard let entry = entries.first(where: { $0.name == name }) else { return nil }
            return Self.decode(data, entry.byteRange)
        }

        /// Copies tensor `entry` into `destination` (which holds entry's element count).
        public func copy(_ entry: Entry, into destination: UnsafeMutablePointer<Float>) {
            data.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[entry.byteRange])
                for i in 0..<(entry.byteRange.count / 4) {
                    destination[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            }
        }

        static func decode(_ data: Data, _ range: Range<Int>) -> [Float] {
            [Float](unsafeUninitializedCapacity: range.count / 4) { buffer, count in
                data.withUnsafeBytes { raw in
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[range])
                    for i in 0..<(range.count / 4) {
                        buffer[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                }
                count = range.count / 4
            }
        }
    }

    /// The bytes of a safetensors file holding `tensors` in the given order.
    public static func encode(tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                              metadata: [String: String]) throws -> Data {
        var header: [String: JSONValue] = [:]
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var offset = 0
        for tensor in tensors {
            precondition(tensor.shape.reduce(1, *) == tensor.values.count, "\(tensor.name): shape does not match its values")
            let end = offset + 4 * tensor.values.count
            header[tensor.name] = .object([
                "dtype": .string("F32"), "shape": .array(tensor.shape.map { .integer(Int64($0)) }),
                "data_offsets": .array([.integer(Int64(offset)), .integer(Int64(end))]),
            ])
            offset = end
        }
        var json = try CanonicalJSON.encode(JSONValue.object(header))
        // pad with spaces so the data section starts 8-byte aligned (allowed by the format)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for tensor in tensors {
            for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    /// Parses and validates a safetensors file (F32 tensors only).
    /// - Throws: ``PolicyError`` naming the file and what was wrong.
    public static func read(_ url: URL) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw PolicyError("\(url.path): cannot read (\(error.localizedDescription))") }
        return try parse(data, file: url.path)
    }

    static func parse(_ data: Data, file: String) throws -> File {
        func fail(_ what: String) -> PolicyError { PolicyError("\(file): \(what)") }
        guard data.count >= 8 else { throw fail("too short for a safetensors header (\(data.count) bytes)") }
        let n = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(data.count - 8) else { throw fail("header length \(n) exceeds the file size \(data.count)") }
        let headerEnd = 8 + Int(n)
        guard case .object(let header)? = try? JSONValue.parse(data.subdata(in: 8..<headerEnd)) else {
            throw fail("header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        let dataSize = data.count - headerEnd
        for (name, value) in header {
            if name == "__metadata__" {
                guard case .object(let fields) = value else { throw fail("__metadata__ must be an object") }
                for (k, v) in fields { if case .string(let s) = v { metadata[k] = s } else { throw fail("__metadata__.\(k) must be a string") } }
                continue
            }
            guard case .object(let f) = value, f["dtype"] == .string("F32"),
                  case .array(let shapeValues)? = f["shape"], case .array(let offsets)? = f["data_offsets"], offsets.count == 2,
                  case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1]
            else { throw fail("tensor \(name): expected dtype F32 with shape and data_offsets") }
            var shape: [Int] = []
            for s in shapeValues {
                guard case .integer(let d) = s, d >= 0 else { throw fail("tensor \(name): bad shape") }
                shape.append(Int(d))
            }
            guard begin >= 0, end >= begin, Int(end) <= dataSize, Int(end - begin) == 4 * shape.reduce(1, *) else {
                throw fail("tensor \(name): data_offsets [\(begin), \(end)] do not match shape \(shape) within \(dataSize) data bytes")
            }
            entries.append(Entry(name: name, shape: shape, byteRange: Int(begin)..<Int(end)))
        }
        entries.sort { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        var cursor = 0
        for entry in entries {
            guard entry.byteRange.lowerBound == cursor else { throw fail("tensor \(entry.name): data overlaps or leaves a gap") }
            cursor = entry.byteRange.upperBound
        }
        guard cursor == dataSize else { throw fail("data section has \(dataSize) bytes but tensors cover \(cursor)") }
        return File(entries: entries, metadata: metadata, data: data.subdata(in: headerEnd..<data.count))
    }
}
