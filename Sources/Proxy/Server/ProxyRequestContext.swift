import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the request's connection, so a handler can notice that the
/// client left while it waits on the upstream (`ClientConnectionWatch`).
struct ProxyRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
