import ArgumentParser
import Foundation
import SearchLabCore

/// `searchlab render`: trajectory JSON → the exact decoded text.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write trajectories back out as decoded Search-R1 text.",
        discussion: """
            Reads trajectory JSON lines (as `searchlab parse` writes them) and writes each \
            trajectory's text: prompt, turns and observations, then trailing text, byte for \
            byte. Trajectories are concatenated with nothing in between, so rendering what \
            `parse --raw` read gives back the original input.
            """)

    @Argument(help: ArgumentHelp("Trajectory JSON lines; - for standard input.", valueName: "FILE"))
    var input: String = "-"

    func run() throws {
        try reportingErrors {
            let input = try LineInput(path: input)
            let (texts, _) = try input.mapJSONLines(keepGoing: false) { value in
                try TrajectoryJSON.decode(value).render()
            }
            Output.write(texts.joined())
        }
    }
}

/// Decoding trajectories from JSON input with field-level messages.
enum TrajectoryJSON {
    static func decode(_ value: JSONValue) throws -> Trajectory {
        do {
            return try JSONDecoder().decode(Trajectory.self, from: try CanonicalJSON.encode(value))
        } catch let error as DecodingError {
            throw SearchLabError("not a SearchLab trajectory: \(describe(error))")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context): return "field \(path(context.codingPath)) must be \(type)"
        case .valueNotFound(let type, let context): return "field \(path(context.codingPath)) must be \(type), got null"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
