// Records the commit a binary is built from: before every build, scripts/build-info.sh
// writes GeneratedBuildInfo.swift (commit, dirty flag) into the plugin's work directory, rewriting it
// only when the answer changed, so an unchanged tree costs no recompilation.
import Foundation
import PackagePlugin

@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = context.package.directoryURL.appending(path: "scripts/build-info.sh")
        return [
            .prebuildCommand(
                displayName: "Recording the commit of this build",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, context.package.directoryURL.path, output.path],
                outputFilesDirectory: output),
        ]
    }
}
