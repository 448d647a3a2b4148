import ArgumentParser
import Foundation
import SearchLabCore

/// Writing results and diagnostics.
enum Output {
    /// Writes whole lines to standard output in one write, so a reader never sees half a record.
    static func writeLines(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        var text = lines.joined(separator: "\n")
        text += "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes raw text to standard output.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// A progress line on standard error (standard output stays machine-readable).
    static func progress(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// A note on standard error that does not change the exit status (`note: …`).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// `error: …` on standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Reports lines skipped under `--keep-going` and fails the command if there were any.
    static func finish(skipped errors: [LocatedError], total: Int) throws {
        guard !errors.isEmpty else { return }
        for error in errors { Output.error(error.description) }
        FileHandle.standardError.write(Data("skipped \(errors.count) of \(total) records with errors\n".utf8))
        throw ExitCode.failure
    }
}

/// The async form of ``reportingErrors(_:)``.
func reportingErrorsAsync(_ body: () async throws -> Void) async throws {
    do { try await body() } catch { throw reported(error) }
}

/// Runs a command body, turning input and library errors into `error: …` and exit 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch { throw reported(error) }
}

/// Prints a library or input error as one `error:` line and returns exit code 1;
/// ArgumentParser's own exits pass through untouched.
private func reported(_ error: Error) -> Error {
    switch error {
    case let exit as ExitCode:
        return exit
    case let located as LocatedError:
        Output.error(located.description)
    case let described as CustomStringConvertible:
        // Library errors (policy, store, engines) describe themselves in one line.
        Output.error(described.description)
    default:
        Output.error("\(error)")
    }
    return ExitCode.failure
}
