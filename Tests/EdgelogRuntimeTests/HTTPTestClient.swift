import Foundation
import NIOCore
import NIOPosix

/// A minimal HTTP/1.1 client for tests: writes one request over a real TCP connection and reads
/// until the server closes it. Written independently of the server code it checks.
struct HTTPTestReply {
    var status: Int
    var headers: [String: String]
    var body: String
}

enum HTTPTestClientError: Error {
    case malformedReply(String)
}

func httpRequest(method: String = "GET", path: String, port: Int) async throws -> HTTPTestReply {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    var received = ByteBuffer()
    try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        for try await chunk in inbound {
            received.writeImmutableBuffer(chunk)
        }
    }
    let text = String(buffer: received)
    guard let split = text.range(of: "\r\n\r\n") else { throw HTTPTestClientError.malformedReply(text) }
    let headLines = text[..<split.lowerBound].components(separatedBy: "\r\n")
    let statusParts = headLines[0].split(separator: " ")
    guard statusParts.count >= 2, statusParts[0] == "HTTP/1.1", let status = Int(statusParts[1]) else {
        throw HTTPTestClientError.malformedReply(text)
    }
    var headers: [String: String] = [:]
    for line in headLines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { throw HTTPTestClientError.malformedReply(text) }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return HTTPTestReply(status: status, headers: headers, body: String(text[split.upperBound...]))
}
