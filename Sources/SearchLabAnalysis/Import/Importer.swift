// `searchlab import`: files → one run, in one transaction.
import Foundation
import SearchLabCore
import SearchLabStore

/// What an import stored and what it skipped.
public struct ImportSummary: Sendable {
    public var runName: String
    public var stored: Int
    /// Lines skipped under `keepGoing`, in input order.
    public var skipped: [LocatedError]
}

/// Imports rollouts into a run database.
public struct Importer: Sendable {
    public var format: ImportFormat
    public var scoring: ScoringOptions
    public var dataset: DatasetAnswers
    public var keepGoing: Bool
    public var codeVersion: String

    public init(format: ImportFormat, scoring: ScoringOptions = .init(), dataset: DatasetAnswers = .init(),
                keepGoing: Bool = false, codeVersion: String) {
        self.format = format
        self.scoring = scoring
        self.dataset = dataset
        self.keepGoing = keepGoing
        self.codeVersion = codeVersion
    }

    /// Stores every record of `sources` in the run `runName` (created if new; an existing
    /// imported run is extended). All or nothing unless `keepGoing`.
    /// - Throws: the first ``LocatedError`` (nothing stored), or a store error.
    /// - Parameter progress: (records stored, records read so far), every 1,000 records and
    ///   at the end of each file (a file is read whole before its records are stored).
    @discardableResult
    public func run(_ sources: [ImportSource], into store: RunStore, runName: String,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> ImportSummary {
        // Once committed the import is stored (in the WAL); a failed final checkpoint only
        // leaves the copy into the main file to the next open.
        defer { try? store.finishBulkWrites() }
        return try store.bulkWrite { writer in
            let run = try openRun(writer, name: runName, sources: sources)
            var stored = 0
            var skipped: [LocatedError] = []
            var read = 0
            for source in sources {
                let (records, errors) = try RecordReader.read(source, format: format, scoring: scoring, keepGoing: keepGoing)
                skipped += errors
                read += records.count
                for (k, record) in records.enumerated() {
                    if k % 1_000 == 0 { progress(stored, read) }
                    do {
                        try writer.insert(settle(record, writer: writer, runID: run.id!), runID: run.id!, step: record.step)
                        stored += 1
                    } catch let error as SearchLabError {
                        let located = LocatedError(file: source.name, line: record.line, message: error.message)
                        if !keepGoing { throw located }
                        skipped.append(located)
                    }
                }
                progress(stored, read)
            }
            return ImportSummary(runName: runName, stored: stored, skipped: skipped)
        }
    }

    func openRun(_ writer: StoreWriter, name: String, sources: [ImportSource]) throws -> RunRecord {
        if let existing = try writer.run(named: name) {
            guard existing.source.hasPrefix("import:") else {
                throw SearchLabError("run \"\(name)\" was written by \(existing.source), not an import; choose another --run")
            }
            return existing
        }
        let config = JSONValue.object([
            "format": .string(format.rawValue),
            "files": .array(sources.map { .string(URL(fileURLWithPath: $0.name).lastPathComponent) }),
            "scheme": .string(scoring.scheme.rawValue),
        ])
        return try writer.createRun(RunSpec(name: name, source: "import:\(format.rawValue)",
                                            configJSON: try CanonicalJSON.string(config), codeVersion: codeVersion))
    }

    /// Fills in what the input left open: golden answers and ids from the dataset, a stable
    /// question id, the group, the sample index, and the recorded reward.
    func settle(_ record: ImportedRecord, writer: StoreWriter, runID: Int64) throws -> Trajectory {
        var trajectory = record.trajectory
        var question = trajectory.question
        if !record.idGiven, let match = dataset.match(question: question.text) {
            question.id = match.id
        }
        if question.id.isEmpty {
            question.id = "q-" + String(CanonicalJSON.sha256Hex(Data((question.text.isEmpty ? trajectory.prompt : question.text).utf8)).prefix(12))
        }
        if question.groupID.isEmpty { question.groupID = question.id }
        var rescore = false
        if question.goldenAnswers.isEmpty, let goldens = dataset.goldens(id: question.id) ?? dataset.match(question: question.text)?.goldens {
            question.goldenAnswers = goldens
            rescore = true
        }
        if !record.sampleGiven {
            question.sampleIndex = try writer.nextSampleIndex(runID: runID, step: record.step, questionID: question.id)
        }
        trajectory.question = question
        if rescore {
            trajectory.outcome = SequenceParser.makeOutcome(turns: trajectory.turns, goldens: question.goldenAnswers, scoring: scoring)
        }
        if let reward = record.recordedReward { trajectory.outcome.reward = reward }
        return trajectory
    }
}
