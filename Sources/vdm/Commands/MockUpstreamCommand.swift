import ArgumentParser
import Foundation
import Logging
import MockUpstream
import VDMProxy

struct MockUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-upstream",
        abstract: "An OpenAI- and Anthropic-compatible mock upstream with fault injection (mock:status=429, mock:cut=3, …).")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port.") var port = 9090

    func run() async throws {
        do {
            try EventLoopSetup.install(env: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("configuration error: \(error)")
        }
        var logger = Logger(label: "vdm.mock")
        logger.logLevel = .info
        try await MockUpstream.run(host: host, port: port, logger: logger) { port in
            print("mock upstream listening on http://\(host):\(port) (OpenAI: /v1/chat/completions, Anthropic: /v1/messages)")
        }
    }
}
