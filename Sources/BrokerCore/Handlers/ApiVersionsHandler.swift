import KafkaProtocol
import NIOCore

extension RequestDispatcher {
    /// ApiVersions at a version we advertise: the whole table, at the version asked (v3 is
    /// flexible in its body, but every ApiVersions response keeps header v0).
    func apiVersions(_ request: KafkaRequest) throws -> DispatchOutcome {
        var body = request.body
        _ = try ApiVersionsRequest(from: &body, version: request.header.apiVersion)
        let response = ApiVersionsResponse(table: Self.advertisedVersions)
        return .response(try frame(response, answering: request.header))
    }

    /// ApiVersions above our version (librdkafka probes with v3 against a table without it,
    /// kafka-python with v4): header v0 + v0 body with UNSUPPORTED_VERSION and our ApiVersions
    /// range, whatever version was asked, because v0 is the one shape every client can read
    /// (README §2, rule 1). The request body is not decoded.
    func answerUnsupportedApiVersions(_ header: RequestHeader) throws -> DispatchOutcome {
        let response = ApiVersionsResponse.unsupportedVersion(table: Self.advertisedVersions)
        metrics.countError(response.errorCode)
        return .response(try frame(response, answering: header, version: 0))
    }
}
