import FileStorage
import Testing

@testable import SegmentStore

@Suite struct RecoveryPointFileTests {
    @Test(arguments: [Int64(0), 7, 1234, PartitionLog.maximumOffset, Int64.max])
    func anOffsetReadsBackAsWritten(offset: Int64) throws {
        let fileSystem = InMemoryFileSystem()
        try fileSystem.createDirectory(atPath: "/d/t-0")
        let file = RecoveryPointFile(directory: "/d/t-0", fileSystem: fileSystem)
        #expect(file.read() == .absent)
        try file.write(offset)
        #expect(file.read() == .offset(offset))
        // Written whole, durably: a crash keeps it.
        fileSystem.crash()
        #expect(file.read() == .offset(offset))
        expectBytes(
            fileSystem.contents(atPath: "/d/t-0/recovery-point"), Array("edgelog-recovery-point 1\n\(offset)\n".utf8))
    }

    @Test(arguments: [
        "", "edgelog-recovery-point 1\n", "edgelog-recovery-point 1\n12", "edgelog-recovery-point 1\n12\n\n",
        "edgelog-recovery-point 2\n12\n", "edgelog-recovery-point 1\n-1\n", "edgelog-recovery-point 1\n+1\n",
        "edgelog-recovery-point 1\n012\n", "edgelog-recovery-point 1\n1 2\n",
        "edgelog-recovery-point 1\n9223372036854775808\n", "12\n",
    ])
    func anythingElseIsNotARecoveryPoint(text: String) {
        #expect(RecoveryPointFile.decode(Array(text.utf8)) == nil)
    }

    @Test func aFileOfZerosIsUnusableNotAnError() throws {
        let fileSystem = InMemoryFileSystem()
        try fileSystem.createDirectory(atPath: "/d/t-0")
        let handle = try fileSystem.openFile(atPath: "/d/t-0/recovery-point", mode: .createIfMissing)
        try handle.write([UInt8](repeating: 0, count: 40), at: 0)
        guard case .unusable = RecoveryPointFile(directory: "/d/t-0", fileSystem: fileSystem).read() else {
            Issue.record("zeros read as a recovery point")
            return
        }
    }
}
