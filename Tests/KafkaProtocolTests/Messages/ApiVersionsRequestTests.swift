import KafkaProtocol
import NIOCore
import Testing

struct ApiVersionsRequestTests {
    @Test func goldenV0HasAnEmptyBody() throws {
        let (header, request, body) = try goldenRequestBody("ApiVersionsRequest_v0", as: ApiVersionsRequest.self)
        #expect(header.apiVersion == 0)
        #expect(body.isEmpty)
        #expect(request == ApiVersionsRequest())
    }

    @Test func goldenV3CarriesClientSoftware() throws {
        let (_, request, body) = try goldenRequestBody("ApiVersionsRequest_v3", as: ApiVersionsRequest.self)
        #expect(request.clientSoftwareName == "tester")
        #expect(request.clientSoftwareVersion == "1.0")
        #expect(try encodedBody(request, version: 3) == body)
    }

    @Test func versionsBelow3WriteNothing() throws {
        let request = ApiVersionsRequest(clientSoftwareName: "edgelog", clientSoftwareVersion: "1")
        for version in Int16(0)...2 {
            #expect(try encodedBody(request, version: version).isEmpty)
        }
    }

    /// The v4 probe is a version we do not speak: its body is never decoded.
    @Test func version4IsUnsupported() {
        expectVersionsOutsideRangeRejected(ApiVersionsRequest())
        #expect(ApiVersionsRequest.versions == 0...3)
    }
}
