import Testing

@testable import NginxLog

@Suite struct HTTPProtocolVersionTests {
    @Test(arguments: [
        ("HTTP/0.9", HTTPProtocolVersion.http09 as HTTPProtocolVersion?), ("HTTP/1.0", .http10), ("HTTP/1.1", .http11),
        ("HTTP/2.0", .http2), ("HTTP/2", .http2), ("HTTP/3.0", .http3), ("HTTP/3", .http3), ("HTTP/1.2", .unknown),
        ("HTTP/11", .unknown), ("HTTP/", nil), ("http/1.1", nil), ("FRIEND", nil), ("HTTPS/1.1", nil),
    ])
    func classify(text: String, version: HTTPProtocolVersion?) {
        #expect(Array(text.utf8).withUnsafeBytes { HTTPProtocolVersion.classify($0, 0..<$0.count) } == version)
    }
}
