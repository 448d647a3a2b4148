// Reading the pieces of a grid file from Yams nodes, each error located at its line.
import Foundation
import SearchLabCore
import Yams

struct GridYAML {
    let file: String
    let validate: (String, String) throws -> Void

    func line(_ node: Node) -> Int? { node.mark?.line }

    func fail(_ node: Node?, _ message: String) -> LocatedError {
        LocatedError(file: file, line: node?.mark?.line, message: message)
    }

    func root(_ text: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw fail(nil, "the grid file is empty") }
            return node
        } catch let error as YamlError {
            throw LocatedError(file: file, line: Self.line(of: error), message: "invalid YAML: \(error)".split(separator: "\n")[0].description)
        }
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    func mapping(_ node: Node, context: String) throws -> Node.Mapping {
        guard case .mapping(let m) = node else { throw fail(node, "\(context): expected a mapping") }
        return m
    }

    func key(_ node: Node) throws -> String {
        guard case .scalar(let s) = node, !s.string.isEmpty else { throw fail(node, "expected a key name") }
        return s.string
    }

    func scalar(_ node: Node, context: String) throws -> String {
        guard case .scalar(let s) = node else { throw fail(node, "\(context): expected a single value") }
        return s.string
    }

    func positiveInteger(_ node: Node, context: String) throws -> Int {
        let text = try scalar(node, context: context)
        guard let n = Int(text), n >= 1 else { throw fail(node, "\(context): expected an integer (1 or more), got \"\(text)\"") }
        return n
    }

    /// One config setting, checked by `validate` and located at its value.
    func setting(key: String, value node: Node) throws -> GridSetting {
        let value = try scalar(node, context: key)
        do {
            try validate(key, value)
        } catch let error as SearchLabError {
            throw fail(node, error.message)
        }
        return GridSetting(key: key, value: value)
    }

    /// A mapping of `key: value` settings.
    func settings(_ node: Node, context: String) throws -> [GridSetting] {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" { return [] }
        return try mapping(node, context: context).map { k, v in try setting(key: try key(k), value: v) }
    }

    /// `axes:` — each entry either `KEY: [v1, v2]` or `NAME: {label: {KEY: v, …}, …}`.
    func axes(_ node: Node) throws -> [AblationGrid.Axis] {
        try mapping(node, context: "axes").map { k, v in
            let name = try key(k)
            switch v {
            case .sequence(let values):
                guard !values.isEmpty else { throw fail(v, "axis \(name): expected at least one value") }
                let variants = try values.map { item in
                    let s = try setting(key: name, value: item)
                    return (label: s.value, settings: [s])
                }
                try checkUniqueLabels(variants.map(\.label), axis: name, node: v)
                return AblationGrid.Axis(name: name, variants: variants)
            case .mapping(let named):
                guard !named.isEmpty else { throw fail(v, "axis \(name): expected at least one variant") }
                let variants = try named.map { label, bundle in
                    (label: try key(label), settings: try settings(bundle, context: "axis \(name) variant \(try key(label))"))
                }
                try checkUniqueLabels(variants.map(\.label), axis: name, node: v)
                return AblationGrid.Axis(name: name, variants: variants)
            case .scalar, .alias:
                throw fail(v, "axis \(name): expected a list of values or a mapping of named variants")
            }
        }
    }

    func checkUniqueLabels(_ labels: [String], axis: String, node: Node) throws {
        var seen = Set<String>()
        for label in labels where !seen.insert(label).inserted {
            throw fail(node, "axis \(axis): the value \(label) appears twice")
        }
    }
}
