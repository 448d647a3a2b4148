// What this binary is: its version and the commit it was built from (embedded at build time
// by the BuildInfoPlugin), recorded with every run it makes.

/// The provenance of the running code.
public enum BuildInfo {
    /// The release version (`searchlab --version`).
    public static let version = "0.1.0"

    /// The full commit hash of the source tree, or `unknown` outside a git checkout.
    public static var commit: String { GeneratedBuildInfo.commit }

    /// Whether Sources/, Plugins/ or Package.swift differed from that commit at build time.
    public static var dirty: Bool { GeneratedBuildInfo.dirty }

    /// What a run records as `code_version`: `0.1.0@<commit>`, with `+dirty` when the tree
    /// had uncommitted code changes.
    public static var codeVersion: String { "\(version)@\(commit)\(dirty ? "+dirty" : "")" }
}
