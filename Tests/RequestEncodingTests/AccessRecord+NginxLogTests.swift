import AccessRecord
import NginxLog
import Testing

@testable import RequestEncoding

// Each parser case maps to the schema case of the same name (the names are the reference: both
// enums spell the schema's cases).

@Suite struct AccessRecordNginxLogMappingTests {
    @Test func methodsMapByName() {
        for method in HTTPMethod.allCases {
            #expect("\(AccessRecord.Method(method))" == "\(method)")
        }
        #expect(
            Set(HTTPMethod.allCases.map { "\(AccessRecord.Method($0))" }).count == AccessRecord.Method.allCases.count
        )
    }

    @Test func protocolsMapByName() {
        for version in HTTPProtocolVersion.allCases {
            #expect("\(AccessRecord.HTTPProtocol(version))" == "\(version)")
        }
        #expect(
            Set(HTTPProtocolVersion.allCases.map { "\(AccessRecord.HTTPProtocol($0))" }).count
                == AccessRecord.HTTPProtocol.allCases.count
        )
    }

    @Test func cacheStatusesMapByName() {
        for status in UpstreamCacheStatus.allCases {
            #expect("\(AccessRecord.CacheStatus(status))" == "\(status)")
        }
        #expect(
            Set(UpstreamCacheStatus.allCases.map { "\(AccessRecord.CacheStatus($0))" }).count
                == AccessRecord.CacheStatus.allCases.count
        )
    }
}
