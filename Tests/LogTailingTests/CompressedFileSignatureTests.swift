import LogTailing
import Testing

struct CompressedFileSignatureTests {
    @Test(arguments: [
        ([0x1F, 0x8B, 0x08], CompressedFileSignature.gzip),
        (Array("BZh91AY".utf8), .bzip2),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00], .xz),
        ([0x28, 0xB5, 0x2F, 0xFD, 0x24], .zstd),
        ([0x04, 0x22, 0x4D, 0x18, 0x64], .lz4),
    ] as [([UInt8], CompressedFileSignature)])
    func recognisesEachCompressor(_ firstBytes: [UInt8], _ expected: CompressedFileSignature) {
        #expect(CompressedFileSignature.of(firstBytes: firstBytes) == expected)
    }

    @Test(arguments: [
        Array("203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1".utf8),
        [], [0x1F], Array("BZ".utf8),
    ])
    func logLinesAndTooShortPrefixesAreNotCompressed(_ firstBytes: [UInt8]) {
        #expect(CompressedFileSignature.of(firstBytes: firstBytes) == nil)
    }

    @Test func tooShortToTellIsDecidedLaterOnlyWhenItCouldBeCompressed() {
        #expect(CompressedFileSignature.mayStillBecomeCompressed(firstBytes: [], path: "/l/access.log.2.gz"))
        #expect(CompressedFileSignature.mayStillBecomeCompressed(firstBytes: [0x1F], path: "/l/access.log.2"))
        #expect(CompressedFileSignature.mayStillBecomeCompressed(firstBytes: [0x28, 0xB5], path: "/l/x"))
        // An empty live log is read at once; a log line's first bytes are no magic's prefix.
        #expect(!CompressedFileSignature.mayStillBecomeCompressed(firstBytes: [], path: "/l/access.log"))
        #expect(!CompressedFileSignature.mayStillBecomeCompressed(firstBytes: Array("10.".utf8), path: "/l/a.gz"))
        // Already decided.
        #expect(!CompressedFileSignature.mayStillBecomeCompressed(firstBytes: [0x1F, 0x8B], path: "/l/a.gz"))
    }
}
