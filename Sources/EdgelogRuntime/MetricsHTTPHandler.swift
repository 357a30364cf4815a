import NIOCore
import NIOHTTP1
import Prometheus

/// Answers one HTTP/1.1 request per connection, then closes it:
///
/// | request | response |
/// |---|---|
/// | `GET /metrics` | 200, Prometheus text exposition 0.0.4 of the registry |
/// | `GET /health`  | 200 `ok`, or 503 `unhealthy: <reason>` (see ``HealthStatus``) |
/// | `GET` other path | 404 |
/// | any other method | 405 with `Allow: GET` |
///
/// Every response carries `Connection: close`: a scrape every few seconds does not need keep-alive,
/// and closing means no connection outlives the server at shutdown. The query string is ignored.
/// Request bodies are discarded.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Content type of the Prometheus text format served on `/metrics`.
    static let exposition = "text/plain; version=0.0.4; charset=utf-8"

    private let registry: PrometheusCollectorRegistry
    private let health: HealthStatus
    private var request: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, health: HealthStatus) {
        self.registry = registry
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let (status, contentType, body) = answer(head)
            respond(context: context, version: head.version, status: status, contentType: contentType, body: body)
        }
    }

    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, [UInt8]) {
        guard head.method == .GET else { return (.methodNotAllowed, "text/plain", Array("method not allowed\n".utf8)) }
        switch head.uri.split(separator: "?", maxSplits: 1).first ?? "" {
        case "/metrics":
            return (.ok, Self.exposition, registry.emitToBuffer())
        case "/health":
            if let problem = health.problem {
                return (.serviceUnavailable, "text/plain", Array("unhealthy: \(problem)\n".utf8))
            }
            return (.ok, "text/plain", Array("ok\n".utf8))
        default:
            return (.notFound, "text/plain", Array("not found\n".utf8))
        }
    }

    private func respond(
        context: ChannelHandlerContext,
        version: HTTPVersion,
        status: HTTPResponseStatus,
        contentType: String,
        body: [UInt8]
    ) {
        var headers = HTTPHeaders([
            ("Content-Type", contentType),
            ("Content-Length", String(body.count)),
            ("Connection", "close"),
        ])
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension MetricsHTTPHandler: Sendable {}
