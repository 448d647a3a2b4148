import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabStore

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

            --tokens TRAJECTORY --db DB shows a trained trajectory's response token by token as \
            the update saw it: one line per token with its index, whether it carried gradient \
            (`train`) or the loss masked it (`mask`: retrieved text), its log-probability under \
            the policy that sampled it (`-` where the scorer could not see it) and its text.
            """)

    @Argument(help: ArgumentHelp("Trajectory JSON lines; - for standard input.", valueName: "FILE"))
    var input: String = "-"

    @Option(help: ArgumentHelp("Show this stored trajectory's tokens (with --db).", valueName: "TRAJECTORY"))
    var tokens: String?

    @Option(help: ArgumentHelp("Run database for --tokens.", valueName: "DB"))
    var db: String?

    func validate() throws {
        guard (tokens == nil) == (db == nil) else { throw ValidationError("--tokens and --db go together") }
        if tokens != nil && input != "-" { throw ValidationError("--tokens reads the database, not FILE") }
    }

    func run() throws {
        if let tokens, let db {
            try reportingErrors { Output.write(try Self.tokenTable(tokens, db: db)) }
            return
        }
        try reportingErrors {
            let input = try LineInput(path: input)
            let (texts, _) = try input.mapJSONLines(keepGoing: false) { value in
                try TrajectoryJSON.decode(value).render()
            }
            Output.write(texts.joined())
        }
    }
}

extension RenderCommand {
    /// `render --tokens`: one line per response token.
    static func tokenTable(_ id: String, db: String) throws -> String {
        let store = try RunStore(path: db, create: false)
        let stored = try store.trajectory(try TrajectoryRef(parsing: id))
        guard let view = try store.tokenView(trajectoryID: stored.id) else {
            throw SearchLabError("\(stored.publicID) has no token view: only trajectories `searchlab train` trained on have one "
                                 + "(eval, validation and imported ones do not, nor runs stored before schema v5)")
        }
        guard let pieces = view.pieces(of: stored.trajectory.turnsText) else {
            throw SearchLabError("the token view of \(stored.publicID) does not cover its response text; the database is damaged")
        }
        var lines = ["token view of \(stored.publicID) (#\(stored.id)): \(view.count) response tokens, "
                     + "\(view.trained.filter { $0 }.count) in the loss", "index\tloss\tlog_p\ttoken"]
        for (i, piece) in pieces.enumerated() {
            let logProb = view.logProbs[i].isNaN ? "-" : String(format: "%.4f", view.logProbs[i])
            lines.append("\(i)\t\(view.trained[i] ? "train" : "mask")\t\(logProb)\t\(Self.quoted(piece))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A token's text on one line: JSON string escapes.
    static func quoted(_ text: String) -> String {
        (try? CanonicalJSON.string(JSONValue.string(text))) ?? "\"?\""
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
