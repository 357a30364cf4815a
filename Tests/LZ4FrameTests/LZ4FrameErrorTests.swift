import LZ4Frame
import Testing

struct LZ4FrameErrorTests {
    @Test("library errors carry liblz4's code and name (lz4frame.h LZ4F_LIST_ERRORS order)")
    func libraryErrorCarriesCodeAndName() throws {
        // 0x184D2205 is not an LZ4 frame magic; liblz4 answers ERROR_frameType_unknown, entry 13
        // of the error list in lz4frame.h.
        let notAFrame: [UInt8] = [0x05, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82, 0, 0, 0, 0]
        var output: [UInt8] = []
        let error = #expect(throws: LZ4FrameError.self) {
            try LZ4FrameDecoder().decompress(notAFrame, into: &output, maxOutputBytes: 10)
        }
        #expect(error == .library(code: 13, name: "ERROR_frameType_unknown"))
        #expect(error.map { "\($0)" } == "liblz4 error 13: ERROR_frameType_unknown")
    }

    @Test("descriptions name the failure and its context")
    func descriptions() {
        #expect("\(LZ4FrameError.truncated)" == "LZ4 frame is truncated")
        #expect("\(LZ4FrameError.outputLimitExceeded(limit: 4096))" == "LZ4 frame decompresses to more than 4096 bytes")
    }
}
