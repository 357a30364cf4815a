import Foundation
import LogTailing
import Testing

@Suite struct FileIdentityTests {
    private let early = FileIdentity(device: 1, inode: 7, fingerprint: Array("10.0.0.1 - -".utf8))

    @Test func aGrownFileIsTheSameFile() {
        let later = FileIdentity(device: 1, inode: 7, fingerprint: Array("10.0.0.1 - - [01/Jan".utf8))
        #expect(early.isSameFile(as: later))
        #expect(later.isSameFile(as: early))
    }

    @Test func inodeReuseWithOtherBytesIsAnotherFile() {
        let reused = FileIdentity(device: 1, inode: 7, fingerprint: Array("192.168.9.9 - -".utf8))
        #expect(early.hasSameInode(as: reused))
        #expect(!early.isSameFile(as: reused))
    }

    @Test func anotherInodeOrDeviceIsAnotherFile() {
        #expect(!early.isSameFile(as: FileIdentity(device: 1, inode: 8, fingerprint: early.fingerprint)))
        #expect(!early.isSameFile(as: FileIdentity(device: 2, inode: 7, fingerprint: early.fingerprint)))
    }

    @Test func fingerprintKeepsAtMostItsCapacity() {
        let long = [UInt8](repeating: 0x41, count: 1_000)
        let identity = FileIdentity(device: 0, inode: 0, fingerprint: long)
        #expect(identity.fingerprint.count == 256)
        let grown = FileIdentity(device: 0, inode: 0, fingerprint: long[0..<10]).extended(with: long)
        #expect(grown?.fingerprint.count == 256)
    }

    @Test func extendingWithContradictingBytesFails() {
        #expect(early.extended(with: Array("10.0.0.2 - - more".utf8)) == nil)
        #expect(early.extended(with: Array("10.0.0.1 - - more".utf8))?.fingerprint == Array("10.0.0.1 - - more".utf8))
        #expect(early.extended(with: Array("10.0".utf8)) == early)
    }

    @Test func codableKeepsEveryByte() throws {
        let bytes = (0..<256).map { UInt8($0) }
        let identity = FileIdentity(device: UInt64.max, inode: 123_456_789, fingerprint: bytes)
        let decoded = try JSONDecoder().decode(FileIdentity.self, from: JSONEncoder().encode(identity))
        #expect(decoded == identity)
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(identity)) as? [String: Any]
        let text = try #require(object?["fingerprint"] as? String)
        #expect(Data(base64Encoded: text) == Data(bytes))
    }
}
