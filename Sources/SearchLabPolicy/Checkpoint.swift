// Checkpoints: a directory in Hugging Face layout plus the trainer's state for exact resume.
//
//   model.safetensors          weights, named as in ParameterLayout
//   config.json                TransformerConfig (snake-case keys) + architecture notes
//   tokenizer.json             Hugging Face tokenizers WordLevel
//   trainer_state.safetensors  AdamW moments "adamw.m", "adamw.v" (optional)
//   trainer_state.json         step, RNG, data cursor, optimiser settings (optional)
import Foundation
import SearchLabCore
import SearchLabTensor

/// What the trainer needs to resume bit-for-bit, besides the weights.
public struct TrainerState: Codable, Hashable, Sendable {
    /// Optimiser steps taken.
    public var step: Int
    /// The trainer's random stream (key and position).
    public var rng: RandomStream
    /// Position in the training data (e.g. next example index).
    public var dataCursor: Int
    /// Free-form extra fields the trainer wants back (canonical JSON).
    public var extra: [String: JSONValue]

    public init(step: Int, rng: RandomStream, dataCursor: Int, extra: [String: JSONValue] = [:]) {
        self.step = step
        self.rng = rng
        self.dataCursor = dataCursor
        self.extra = extra
    }
}

/// Saving and loading checkpoint directories.
public enum Checkpoint {
    /// What ``load(from:)`` returns.
    public struct Loaded {
        public var model: Transformer
        public var tokenizer: Tokenizer
        /// Present when the checkpoint was saved with an optimiser.
        public var optimizer: AdamW?
        public var trainerState: TrainerState?
        /// ``weightsDigest(_:)`` of the loaded weights.
        public var digest: String
    }

    /// SHA-256 (hex) of the weights as little-endian F32 bytes in layout order: the id of
    /// a checkpoint in trajectories, independent of the file's header formatting.
    public static func weightsDigest(_ model: Transformer) -> String {
        let raw = UnsafeRawBufferPointer(model.parameters.bufferPointer)
        return CanonicalJSON.sha256Hex(raw)  // x86-64 and arm64 are little-endian
    }

    /// Writes the checkpoint to `directory` atomically: everything goes to a sibling
    /// temporary directory that replaces `directory` only when complete.
    /// - Returns: the weights digest.
    @discardableResult
    public static func save(model: Transformer, tokenizer: Tokenizer, optimizer: AdamW? = nil,
                            trainerState: TrainerState? = nil, to directory: URL) throws -> String {
        guard tokenizer.vocabSize == model.config.vocabSize else {
            throw PolicyError("checkpoint: tokenizer has \(tokenizer.vocabSize) tokens but the model \(model.config.vocabSize)")
        }
        let fm = FileManager.default
        let parent = directory.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(UUID().uuidString)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            let digest = weightsDigest(model)
            let tensors = model.layout.tensors.map { view in
                (name: view.name, shape: view.shape,
                 values: UnsafeBufferPointer(start: model.parameters.pointer + view.offset, count: view.count))
            }
            try SafeTensors.encode(tensors: tensors, metadata: ["format": "pt", "searchlab.weights_sha256": digest])
                .write(to: staging.appendingPathComponent("model.safetensors"))
            try Data(CanonicalJSON.prettyString(ConfigFile(config: model.config)).utf8)
                .write(to: staging.appendingPathComponent("config.json"))
            try tokenizer.save(to: staging.appendingPathComponent("tokenizer.json"))
            if let optimizer {
                try saveOptimizer(optimizer, state: trainerState, digest: digest, in: staging)
            }
            // Every byte on disk before the rename makes it visible, and the rename itself
            // synced after: a run database may name this directory as soon as we return.
            try Durability.syncTree(staging)
            // the old checkpoint is moved aside, not deleted, until the new one is in place
            let backup = parent.appendingPathComponent(".\(directory.lastPathComponent).old-\(UUID().uuidString)")
            let hadOld = fm.fileExists(atPath: directory.path)
            if hadOld { try fm.moveItem(at: directory, to: backup) }
            do { try fm.moveItem(at: staging, to: directory) } catch {
                if hadOld { try? fm.moveItem(at: backup, to: directory) }
                throw error
            }
            if hadOld { try? fm.removeItem(at: backup) }
            try Durability.sync(parent)
            return digest
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    /// Loads and verifies a checkpoint directory.
    /// - Throws: ``PolicyError`` for missing, corrupted or mismatched files.
    public static func load(from directory: URL) throws -> Loaded {
        let configURL = directory.appendingPathComponent("config.json")
        let config: TransformerConfig
        do {
            config = try JSONDecoder().decode(ConfigFile.self, from: Data(contentsOf: configURL)).config
            try config.validate()
        } catch let error as PolicyError {
            throw PolicyError("\(configURL.path): \(error.message)")
        } catch {
            throw PolicyError("\(configURL.path): expected a SearchLab config.json (\(error.localizedDescription))")
        }
        let tokenizer = try Tokenizer.load(from: directory.appendingPathComponent("tokenizer.json"))
        guard tokenizer.vocabSize == config.vocabSize else {
            throw PolicyError("\(directory.path): tokenizer.json has \(tokenizer.vocabSize) tokens but config.json says vocab_size \(config.vocabSize)")
        }
        let model = try Transformer(config: config)
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        let file = try SafeTensors.read(weightsURL)
        try fill(model.parameters, layout: model.layout.tensors, from: file, path: weightsURL.path)
        let digest = weightsDigest(model)
        if let recorded = file.metadata["searchlab.weights_sha256"], recorded != digest {
            throw PolicyError("\(weightsURL.path): weights are corrupted (sha256 \(digest) but the header records \(recorded))")
        }
        var loaded = Loaded(model: model, tokenizer: tokenizer, optimizer: nil, trainerState: nil, digest: digest)
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("trainer_state.json").path) {
            (loaded.optimizer, loaded.trainerState) = try loadOptimizer(in: directory, count: model.layout.count, digest: digest)
        }
        return loaded
    }

    /// Copies every tensor of `layout` out of `file`, refusing missing, extra or reshaped ones.
    static func fill(_ buffer: FloatBuffer, layout: [TensorView], from file: SafeTensors.File, path: String) throws {
        let byName = Dictionary(uniqueKeysWithValues: file.entries.map { ($0.name, $0) })
        for view in layout {
            guard let entry = byName[view.name] else { throw PolicyError("\(path): missing tensor \(view.name)") }
            guard entry.shape == view.shape else {
                throw PolicyError("\(path): tensor \(view.name) has shape \(entry.shape), expected \(view.shape) for this config")
            }
            file.copy(entry, into: buffer.pointer + view.offset)
        }
        let expected = Set(layout.map(\.name))
        if let extra = file.entries.first(where: { !expected.contains($0.name) }) {
            throw PolicyError("\(path): unexpected tensor \(extra.name) for this config")
        }
    }
}

/// config.json: the config plus fixed facts about the architecture for readers.
struct ConfigFile: Codable {
    var config: TransformerConfig
    var architectures = ["SearchLabTransformer"]
    var modelType = "searchlab-gpt"
    var normalization = "rmsnorm"
    var rmsNormEps = Double(Tensor.rmsEpsilon)
    var activation = "gelu_tanh"
    var tieWordEmbeddings = true

    init(config: TransformerConfig) { self.config = config }

    enum CodingKeys: String, CodingKey {
        case architectures, normalization, activation
        case modelType = "model_type", rmsNormEps = "rms_norm_eps", tieWordEmbeddings = "tie_word_embeddings"
    }

    init(from decoder: Decoder) throws {
        config = try TransformerConfig(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelType = try c.decode(String.self, forKey: .modelType)
        guard modelType == "searchlab-gpt" else {
            throw PolicyError("model_type \(modelType) is not searchlab-gpt")
        }
    }

    func encode(to encoder: Encoder) throws {
        try config.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(architectures, forKey: .architectures)
        try c.encode(modelType, forKey: .modelType)
        try c.encode(normalization, forKey: .normalization)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(activation, forKey: .activation)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
    }
}
