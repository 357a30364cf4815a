import Testing

@testable import NginxLog

@Suite struct HTTPMethodTests {
    @Test(arguments: [
        ("GET", HTTPMethod.get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
        ("OPTIONS", .options), ("PATCH", .patch), ("CONNECT", .connect), ("TRACE", .trace),
        ("get", .other), ("GETS", .other), ("GE", .other), ("PROPFIND", .other), ("", .other), ("POSt", .other),
    ])
    func classify(text: String, method: HTTPMethod) {
        #expect(Array(text.utf8).withUnsafeBytes { HTTPMethod.classify($0, 0..<$0.count) } == method)
    }
}
