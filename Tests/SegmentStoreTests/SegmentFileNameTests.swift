import FileStorage
import Testing

@testable import SegmentStore

@Suite struct SegmentFileNameTests {
    @Test func namesAreTheBaseOffsetPaddedTo20DigitsWithAKindSuffix() {
        #expect(SegmentFileName(baseOffset: 1234, kind: .log).name == "00000000000000001234.log")
        #expect(SegmentFileName(baseOffset: 0, kind: .offsetIndex).name == "00000000000000000000.index")
        #expect(SegmentFileName(baseOffset: Int64.max, kind: .timeIndex).name == "09223372036854775807.timeindex")
    }

    @Test func namesParseBack() {
        for base: Int64 in [0, 1, 999, 1 << 40, Int64.max] {
            for kind in SegmentFileName.Kind.allCases {
                let name = SegmentFileName(baseOffset: base, kind: kind)
                #expect(SegmentFileName(name.name) == name)
            }
        }
    }

    @Test(arguments: [
        "0000000000000001234.log",  // 19 digits
        "000000000000000001234.log",  // 21 digits
        "0000000000000000123a.log",
        "00000000000000001234.log.deleted",
        "00000000000000001234.snapshot",
        "00000000000000001234",
        "99999999999999999999.log",  // above Int64.max
        "-0000000000000001234.log",
    ])
    func otherNamesDoNotParse(name: String) {
        #expect(SegmentFileName(name) == nil)
    }

    @Test func byteWiseOrderOfNamesIsOffsetOrder() {
        var generator = SystemRandomNumberGenerator()
        let bases = (0..<200).map { _ in Int64.random(in: 0...Int64.max, using: &generator) >> Int64.random(in: 0...62)
        }
        let byName = bases.map { SegmentFileName(baseOffset: $0, kind: .log).name }.sorted()
        let byOffset = bases.sorted().map { SegmentFileName(baseOffset: $0, kind: .log).name }
        #expect(byName == byOffset)
    }

    @Test func partitionDirectoriesAreTopicDashPartition() throws {
        #expect(try SegmentFileName.partitionDirectoryName(topic: "access-log", partition: 3) == "access-log-3")
        let parsed = SegmentFileName.parsePartitionDirectoryName("access-log-3")
        #expect(parsed?.topic == "access-log" && parsed?.partition == 3)
        #expect(SegmentFileName.parsePartitionDirectoryName("access") == nil)
        #expect(SegmentFileName.parsePartitionDirectoryName("a-b/c-1") == nil)
        #expect(SegmentFileName.parsePartitionDirectoryName("access-") == nil)
        #expect(SegmentFileName.parsePartitionDirectoryName("access-+1") == nil)
    }

    @Test(arguments: ["", ".", "..", "../etc", "a/b", "tab\tname", "é", String(repeating: "a", count: 250)])
    func illegalTopicsAreRejected(topic: String) {
        #expect {
            try SegmentFileName.partitionDirectoryName(topic: topic, partition: 0)
        } throws: { ($0 as? StorageError)?.code == .invalidName }
    }
}
