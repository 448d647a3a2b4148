// Portable replay bundles: what replaying a stored trajectory needs, in one folder that
// travels without its run database, world or checkpoints — the rollout batch of each of its
// trajectories with their retrieval answers and run specifications (a small run database),
// the weights each was sampled with, and a manifest with the SHA-256 of every file.
// `replay --bundle DIR --verify` on another machine then reproduces a trajectory byte for
// byte or names its first divergence.
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabEngines
import SearchLabPolicy
import SearchLabStore

/// The manifest (`bundle.json`) of a replay bundle.
public struct BundleManifest: Codable, Sendable {
    public static let formatName = "searchlab-replay-bundle"
    /// The layout this build writes and reads; a newer one is refused.
    public static let currentVersion = 1
    public static let fileName = "bundle.json"
    public static let databaseFile = "runs.sqlite"
    /// Every document the bundled batches were shown, and the supporting passages of the
    /// bundled questions: a corpus slice for what-if replays (oracle, random) from the bundle.
    public static let corpusSliceFile = "corpus-slice.jsonl"
    /// The bundled questions' dataset lines (with their supporting passages), when the run's
    /// world was at hand: `--dataset` for an oracle what-if.
    public static let questionsFile = "questions.jsonl"

    public var format: String
    public var version: Int
    /// The SearchLab that wrote the bundle (`code_version`).
    public var writtenBy: String
    public var entries: [Entry]
    /// Every file of the bundle but the manifest, by relative path → SHA-256.
    public var files: [String: String]

    public struct Entry: Codable, Sendable {
        /// `run:step:question:sample`, as in the bundle's database.
        public var trajectory: String
        /// The folder, relative to the bundle, of the checkpoint it was sampled with.
        public var checkpoint: String
    }

    enum CodingKeys: String, CodingKey {
        case format, version, entries, files
        case writtenBy = "written_by"
    }
}

public enum ReplayBundle {
    /// Writes a bundle of `refs` from `store` to `directory`, which must not exist (or be
    /// empty). Everything is written to a sibling staging folder first, so a failure leaves
    /// nothing behind. Weights a step did not save are rebuilt as replay rebuilds them.
    /// - Throws: ``SearchLabError`` for an unknown or imported trajectory, a checkpoint that
    ///   cannot be found, or a non-empty `directory`.
    @discardableResult
    public static func write(_ refs: [TrajectoryRef], from store: RunStore, to directory: URL, writtenBy: String) async throws -> BundleManifest {
        let fm = FileManager.default
        if let contents = try? fm.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
            throw SearchLabError("\(directory.path) is not empty; a bundle goes into a new folder")
        }
        let setups = try refs.map { ref -> ReplaySetup in
            let setup = try ReplaySetup(store: store, ref: ref)
            guard setup.origin != .imported else {
                throw SearchLabError("\(setup.stored.publicID) was imported: there is no policy to replay, so nothing to bundle")
            }
            return setup
        }
        let staging = directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent).tmp-\(UUID().uuidString)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            var entries: [BundleManifest.Entry] = []
            var checkpoints: [String: String] = [:]   // digest → relative folder
            for setup in setups {
                let digest = setup.provenance!.checkpointDigest!
                if checkpoints[digest] == nil {
                    let folder = "checkpoints/" + digest.prefix(16)
                    let (loaded, _) = try await CheckpointLookup.find(digest: digest, explicit: nil, setup: setup, store: store)
                    try Checkpoint.save(model: loaded.model, tokenizer: loaded.tokenizer, to: staging.appendingPathComponent(folder))
                    checkpoints[digest] = folder
                }
                entries.append(.init(trajectory: setup.stored.publicID, checkpoint: checkpoints[digest]!))
            }
            let batches = try stepBatches(of: setups, from: store)
            try writeDatabase(batches, from: store, to: staging.appendingPathComponent(BundleManifest.databaseFile).path)
            try writeSlice(batches, questionsOf: setups, to: staging)
            let manifest = BundleManifest(format: BundleManifest.formatName, version: BundleManifest.currentVersion, writtenBy: writtenBy,
                                          entries: entries, files: try digests(of: staging))
            try Data((try CanonicalJSON.string(manifest) + "\n").utf8).write(to: staging.appendingPathComponent(BundleManifest.fileName))
            try? fm.removeItem(at: directory)   // an empty folder the user made
            try fm.moveItem(at: staging, to: directory)
            return manifest
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    /// One rollout step a bundled trajectory came from: every row of its batch, in batch order.
    struct StepBatch {
        var run: RunRecord
        var step: Int
        var rows: [StoredTrajectory]
    }

    /// The steps of `setups`, each loaded once however many of its trajectories are bundled.
    static func stepBatches(of setups: [ReplaySetup], from store: RunStore) throws -> [StepBatch] {
        var seen = Set<[Int64]>()
        return try setups.filter { seen.insert([$0.run.id!, Int64($0.stored.record.step)]).inserted }.map { setup in
            let step = setup.stored.record.step
            return StepBatch(run: setup.run, step: step,
                             rows: try store.trajectories(ids: try store.trajectoryIDs(runID: setup.run.id!, step: step)))
        }
    }

    /// The bundle's database: for each trajectory, its run and the whole step it was rolled out
    /// in (every row of its batch, in batch order, with the step's retrieval calls), so its
    /// batch row and its shard are the ones training had.
    static func writeDatabase(_ batches: [StepBatch], from store: RunStore, to path: String) throws {
        let scratch = path + ".building"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
        let bundle = try RunStore(path: scratch, create: true)
        var runIDs: [Int64: Int64] = [:]
        for batch in batches {
            let run = batch.run, step = batch.step
            let prepared = try PreparedTrajectory.prepareAll(batch.rows.map(\.trajectory))
            let calls = try store.retrievalCalls(runID: run.id!, step: step).map {
                LoggedCall(engineFingerprint: $0.engineFingerprint, query: $0.query, topK: $0.topK, hits: $0.hits, phase: .rollout)
            }
            try bundle.write { writer in
                if runIDs[run.id!] == nil {
                    runIDs[run.id!] = try writer.createRun(RunSpec(name: run.name, source: run.source, configJSON: run.configJSON,
                                                                   seed: run.seed.map { UInt64(bitPattern: $0) },
                                                                   codeVersion: run.codeVersion, worldDigest: run.worldDigest)).id!
                }
                try writer.commit(StepCommit(step: step, metrics: [:], trajectories: prepared, calls: calls, checkpoint: nil),
                                  runID: runIDs[run.id!]!)
            }
        }
        try bundle.vacuumCopy(to: path)
    }

    /// The corpus slice (documents shown to the bundled batches, then the questions'
    /// supporting passages from the run's world when it is here) and the questions' lines.
    static func writeSlice(_ batches: [StepBatch], questionsOf setups: [ReplaySetup], to staging: URL) throws {
        var documents: [String: String] = [:]
        for stored in batches.flatMap(\.rows) {
            for document in stored.trajectory.turns.compactMap(\.observation).flatMap(\.documents) {
                if let id = document.id { documents[id] = document.contents }
            }
        }
        var questionLines: [String] = []
        let worlds = Dictionary(grouping: setups) { $0.trainingConfig?.worldDirectory ?? "" }
        for (directory, group) in worlds.sorted(by: { $0.key < $1.key }) where !directory.isEmpty {
            let world = URL(fileURLWithPath: directory)
            guard let corpus = try? CorpusFile(path: world.appendingPathComponent("corpus.jsonl").path) else { continue }
            let wanted = Set(group.map(\.stored.trajectory.question.id))
            for file in GoldChains.datasetFiles(ofWorld: directory) {
                guard let data = try? Data(contentsOf: URL(fileURLWithPath: file)) else { continue }
                for (_, line) in NumberedLines.split(data) {
                    guard let fields = try? JSONFields(try JSONValue.parse(line), expected: "a question"),
                          let id = try? fields.identifier("id"), wanted.contains(id) else { continue }
                    questionLines.append(String(decoding: line, as: UTF8.self))
                    for passage in (try? fields.object("metadata")?.identifiers("supporting_passages")) ?? [] {
                        if let document = corpus.document(id: passage) { documents[passage] = document.contents }
                    }
                }
            }
        }
        let slice = try documents.keys.sorted().map { try CanonicalJSON.string(["id": JSONValue.string($0), "contents": .string(documents[$0]!)]) }
        try Data(slice.map { $0 + "\n" }.joined().utf8).write(to: staging.appendingPathComponent(BundleManifest.corpusSliceFile))
        if !questionLines.isEmpty {
            try Data(questionLines.sorted().map { $0 + "\n" }.joined().utf8).write(to: staging.appendingPathComponent(BundleManifest.questionsFile))
        }
    }

    /// SHA-256 of every regular file under `root`, by path relative to it.
    static func digests(of root: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        let base = root.standardizedFileURL.path
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            guard relative != BundleManifest.fileName else { continue }
            out[relative] = CanonicalJSON.sha256Hex(try Data(contentsOf: url))
        }
        return out
    }

    /// Reads and checks a bundle: its manifest's format and version, and every file against
    /// its digest (no file missing, altered or added).
    /// - Throws: ``SearchLabError`` naming the file and what to do.
    public static func check(_ directory: URL) throws -> BundleManifest {
        let manifestURL = directory.appendingPathComponent(BundleManifest.fileName)
        guard let data = try? Data(contentsOf: manifestURL) else {
            throw SearchLabError("\(directory.path) is not a replay bundle: it has no \(BundleManifest.fileName)")
        }
        let manifest: BundleManifest
        do {
            manifest = try JSONDecoder().decode(BundleManifest.self, from: data)
        } catch {
            throw SearchLabError("\(manifestURL.path) is not a replay bundle manifest (\(error.localizedDescription))")
        }
        guard manifest.format == BundleManifest.formatName else {
            throw SearchLabError("\(manifestURL.path) is not a replay bundle manifest (format \"\(manifest.format)\")")
        }
        guard manifest.version <= BundleManifest.currentVersion else {
            throw SearchLabError("\(directory.path) is a version \(manifest.version) bundle, written by SearchLab \(manifest.writtenBy); "
                                 + "this SearchLab reads version \(BundleManifest.currentVersion): replay it with that version or newer")
        }
        let present = try digests(of: directory)
        for (path, digest) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard let actual = present[path] else {
                throw SearchLabError("\(directory.appendingPathComponent(path).path) is missing from the bundle (its manifest lists it)")
            }
            guard actual == digest else {
                throw SearchLabError("\(directory.appendingPathComponent(path).path) does not match the bundle's manifest (SHA-256 \(actual.prefix(12))…, "
                                     + "expected \(digest.prefix(12))…): the bundle was altered")
            }
        }
        if let extra = present.keys.sorted().first(where: { manifest.files[$0] == nil }) {
            throw SearchLabError("\(directory.appendingPathComponent(extra).path) is not in the bundle's manifest: the bundle was altered")
        }
        return manifest
    }

    /// A checked bundle opened for replay: its database copied to `scratch` (so a replay
    /// never writes into the bundle) and the entry for `trajectory` (or its only one).
    public static func open(_ directory: URL, trajectory: String?, scratch: URL) throws -> (store: RunStore, entry: BundleManifest.Entry) {
        let manifest = try check(directory)
        let entry: BundleManifest.Entry
        if let trajectory {
            guard let found = manifest.entries.first(where: { $0.trajectory == trajectory }) else {
                throw SearchLabError("bundle \(directory.path) holds no trajectory \(trajectory); it holds "
                                     + manifest.entries.map(\.trajectory).joined(separator: ", "))
            }
            entry = found
        } else {
            guard manifest.entries.count == 1 else {
                throw SearchLabError("bundle \(directory.path) holds \(manifest.entries.count) trajectories; name one: "
                                     + manifest.entries.map(\.trajectory).joined(separator: ", "))
            }
            entry = manifest.entries[0]
        }
        let copy = scratch.appendingPathComponent(BundleManifest.databaseFile)
        try FileManager.default.copyItem(at: directory.appendingPathComponent(BundleManifest.databaseFile), to: copy)
        return (try RunStore(path: copy.path, create: false), entry)
    }
}
