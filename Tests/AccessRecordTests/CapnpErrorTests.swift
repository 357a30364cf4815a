import AccessRecord
import Testing

@Suite struct CapnpErrorTests {
    /// Descriptions carry the context needed to find the fault in a hex dump.
    @Test func descriptionsNameTheOffendingWords() {
        let error = CapnpError.pointerOutOfBounds(pointerWord: 11, targetWord: 4000, sizeBytes: 16, segmentWords: 30)
        #expect(error.description.contains("word 11"))
        #expect(error.description.contains("word 4000"))
        #expect(error.description.contains("30-word segment"))
        let kind = CapnpError.wrongPointerKind(pointerWord: 3, expected: .list, found: .far)
        #expect(kind.description == "capnp: pointer at word 3 is far, expected list")
    }
}
