// Looking algorithm variants up by their configuration name.
import SearchLabCore

/// An enum of algorithm variants known by the names verl uses.
///
/// Lookups of unknown names fail with the list of valid ones, so a typo in a config file is
/// answered with the fix.
public protocol NamedChoice: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    /// What the choice selects, for error messages ("advantage estimator").
    static var choiceDescription: String { get }
}

extension NamedChoice {
    /// The valid names, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The case named `name`.
    /// - Throws: ``SearchLabError`` naming the valid choices.
    public static func named(_ name: String) throws -> Self {
        if let choice = Self(rawValue: name) { return choice }
        throw SearchLabError("unknown \(choiceDescription) \"\(name)\"; valid: \(names.joined(separator: ", "))")
    }
}
