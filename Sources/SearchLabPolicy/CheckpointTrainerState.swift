// trainer_state.safetensors / trainer_state.json: the optimiser and loop state.
import Foundation
import SearchLabCore
import SearchLabTensor

/// trainer_state.json.
struct TrainerStateFile: Codable {
    var state: TrainerState?
    var optimizerStep: Int
    var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// The weights these moments belong to; a mismatch means files from different saves.
    var weightsSHA256: String
}

extension Checkpoint {
    static func saveOptimizer(_ optimizer: AdamW, state: TrainerState?, digest: String, in directory: URL) throws {
        let n = optimizer.m.count
        let tensors = [
            (name: "adamw.m", shape: [n], values: UnsafeBufferPointer(optimizer.m.bufferPointer)),
            (name: "adamw.v", shape: [n], values: UnsafeBufferPointer(optimizer.v.bufferPointer)),
        ]
        try SafeTensors.encode(tensors: tensors, metadata: ["searchlab.weights_sha256": digest])
            .write(to: directory.appendingPathComponent("trainer_state.safetensors"))
        let file = TrainerStateFile(state: state, optimizerStep: optimizer.step, beta1: optimizer.beta1, beta2: optimizer.beta2,
                                    epsilon: optimizer.epsilon, weightDecay: optimizer.weightDecay, weightsSHA256: digest)
        try Data(CanonicalJSON.prettyString(file).utf8).write(to: directory.appendingPathComponent("trainer_state.json"))
    }

    static func loadOptimizer(in directory: URL, count: Int, digest: String) throws -> (AdamW, TrainerState?) {
        let jsonURL = directory.appendingPathComponent("trainer_state.json")
        let file: TrainerStateFile
        do { file = try JSONDecoder().decode(TrainerStateFile.self, from: Data(contentsOf: jsonURL)) } catch {
            throw PolicyError("\(jsonURL.path): expected a SearchLab trainer_state.json (\(error.localizedDescription))")
        }
        guard file.weightsSHA256 == digest else {
            throw PolicyError("\(jsonURL.path): belongs to weights \(file.weightsSHA256), not the model.safetensors beside it (\(digest))")
        }
        let optimizer = AdamW(parameterCount: count, beta1: file.beta1, beta2: file.beta2, epsilon: file.epsilon,
                              weightDecay: file.weightDecay)
        optimizer.step = file.optimizerStep
        let url = directory.appendingPathComponent("trainer_state.safetensors")
        let moments = try SafeTensors.read(url)
        guard moments.metadata["searchlab.weights_sha256"] == digest else {
            throw PolicyError("\(url.path): moments belong to other weights than model.safetensors")
        }
        let views = [TensorView(name: "adamw.m", shape: [count], offset: 0)]
        let second = [TensorView(name: "adamw.v", shape: [count], offset: 0)]
        let mOnly = SafeTensors.File(entries: moments.entries.filter { $0.name == "adamw.m" }, metadata: [:], data: moments.data)
        let vOnly = SafeTensors.File(entries: moments.entries.filter { $0.name == "adamw.v" }, metadata: [:], data: moments.data)
        guard moments.entries.count == 2 else { throw PolicyError("\(url.path): expected exactly adamw.m and adamw.v") }
        try fill(optimizer.m, layout: views, from: mOnly, path: url.path)
        try fill(optimizer.v, layout: second, from: vOnly, path: url.path)
        return (optimizer, file.state)
    }
}
