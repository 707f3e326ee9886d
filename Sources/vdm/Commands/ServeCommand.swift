import ArgumentParser
import Foundation
import VDMProxy

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the proxy (Anthropic Messages API in front of the providers configured in the environment).")

    @Option(help: "Address to bind (default: HOST or 127.0.0.1).") var host: String?
    @Option(help: "Port (default: PORT or 8082).") var port: Int?
    @Option(name: .customLong("log-json"), help: "Append ECS JSON lines to this file (default: VDM_LOG_JSON).") var logJSON: String?
    @Flag(name: .customLong("no-console"), help: "Do not write console lines to stderr.") var noConsole = false
    @Option(name: .customLong("log-target"), help: "Comma-separated log outputs: journald, syslog, console, json:PATH (default: VDM_LOG_TARGET, else console). journald falls back to syslog, then the console.")
    var logTarget: String?

    func run() async throws {
        // Swift concurrency's jobs run on NIO's event loops (see EventLoopSetup). Only `serve`, the mock
        // and the proxy benchmark do this: the analyzer's CPU-bound tasks keep the default pool.
        let env = ProcessInfo.processInfo.environment
        let setup: ServeSetup
        do {
            try EventLoopSetup.install(env: env)
            setup = try ServeSetup.make(env: env, host: host, port: port, logJSON: logJSON, console: !noConsole, logTarget: logTarget)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("vdm: configuration error: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        setup.logs.router.bootstrap()
        try await setup.server.run { port in setup.printBanner(port: port) }
    }
}

