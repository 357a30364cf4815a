import Foundation
import LogTailing
import Testing

@Suite struct CheckpointTests {
    static let sample = Checkpoint(
        identity: FileIdentity(device: 2049, inode: 1234, fingerprint: Array("10.0.0.1 - - [".utf8)),
        path: "/var/log/nginx/access.log", sourcePattern: "/var/log/nginx/*.log", offset: 81_920,
        producerId: 7, producerEpoch: 2, sequences: [0: 120, 3: 41, -1: 5])

    static let full = Checkpoint(
        identity: FileIdentity(device: 2049, inode: 1234, fingerprint: Array("10.0.0.1 - - [".utf8)),
        path: "/var/log/nginx/access.log", sourcePattern: "/var/log/nginx/*.log", offset: 81_920,
        clusterId: "q8Xb", producerId: 7, producerEpoch: 2, sequences: [0: 120, 3: 41],
        storedAhead: [3: 12], auditGroup: .init(start: 65_536, lines: 140, lastTimeUs: 1_765_000_000_000_000))

    @Test(arguments: [sample, full])
    func roundTripsThroughJSON(checkpoint: Checkpoint) throws {
        let decoded = try JSONDecoder().decode(Checkpoint.self, from: JSONEncoder().encode(checkpoint))
        #expect(decoded == checkpoint)
    }

    /// Version 2's layout as documented.
    @Test func decodesTheDocumentedVersionTwoLayout() throws {
        let json = """
            {"version": 2, "identity": {"device": 2049, "inode": 1234, "fingerprint": "MTAuMC4wLjEgLSAtIFs="},
             "path": "/var/log/nginx/access.log", "source": "/var/log/nginx/*.log", "offset": 81920,
             "clusterId": "q8Xb", "producerId": 7, "producerEpoch": 2,
             "sequences": [{"partition": 0, "nextSequence": 120}, {"partition": 3, "nextSequence": 41}],
             "storedAhead": [{"partition": 3, "records": 12}],
             "auditGroup": {"start": 65536, "lines": 140, "lastTimeUs": 1765000000000000}}
            """
        #expect(try JSONDecoder().decode(Checkpoint.self, from: Data(json.utf8)) == Self.full)
    }

    /// The documented layout, written by hand, decodes to the values it spells out.
    @Test func decodesTheDocumentedLayout() throws {
        let json = """
            {"version": 1, "identity": {"device": 2049, "inode": 1234, "fingerprint": "MTAuMC4wLjEgLSAtIFs="},
             "path": "/var/log/nginx/access.log", "source": "/var/log/nginx/*.log", "offset": 81920,
             "producerId": 7, "producerEpoch": 2,
             "sequences": [{"partition": -1, "nextSequence": 5}, {"partition": 0, "nextSequence": 120},
                           {"partition": 3, "nextSequence": 41}]}
            """
        #expect(try JSONDecoder().decode(Checkpoint.self, from: Data(json.utf8)) == Self.sample)
    }

    /// The optional fields round-trip, and are left out of the JSON when absent (a checkpoint
    /// written without them, as above, still decodes).
    @Test func optionalFieldsAreWrittenOnlyWhenSet() throws {
        var missing = Self.sample
        missing.missingSince = 1_796_212_800_000
        missing.controlRecordKey = "file:2049-1187"
        let encoded = try JSONEncoder().encode(missing)
        #expect(try JSONDecoder().decode(Checkpoint.self, from: encoded) == missing)
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.contains("\"missingSince\":1796212800000") && text.contains("\"controlRecordKey\":\"file:2049-1187\""))
        let plain = String(decoding: try JSONEncoder().encode(Self.sample), as: UTF8.self)
        #expect(!plain.contains("missingSince") && !plain.contains("controlRecordKey"))
    }

    @Test(arguments: [
        #"{"version": 3, "identity": {"device": 1, "inode": 1, "fingerprint": ""}, "path": "p", "source": "p", "offset": 0, "producerId": 1, "producerEpoch": 0, "sequences": []}"#,
        #"{"version": 2, "identity": {"device": 1, "inode": 1, "fingerprint": ""}, "path": "p", "source": "p", "offset": 0, "producerId": 1, "producerEpoch": 0, "sequences": [], "storedAhead": [{"partition": 1, "records": 0}]}"#,
        #"{"version": 2, "identity": {"device": 1, "inode": 1, "fingerprint": ""}, "path": "p", "source": "p", "offset": 10, "producerId": 1, "producerEpoch": 0, "sequences": [], "auditGroup": {"start": 11, "lines": 1, "lastTimeUs": 0}}"#,
        #"{"version": 1, "identity": {"device": 1, "inode": 1, "fingerprint": ""}, "path": "p", "source": "p", "offset": -5, "producerId": 1, "producerEpoch": 0, "sequences": []}"#,
        #"{"version": 1, "identity": {"device": 1, "inode": 1, "fingerprint": "@@"}, "path": "p", "source": "p", "offset": 0, "producerId": 1, "producerEpoch": 0, "sequences": []}"#,
        #"{"version": 1, "identity": {"device": 1, "inode": 1, "fingerprint": ""}, "path": "p", "source": "p", "offset": 0, "producerId": 1, "producerEpoch": 0, "sequences": [{"partition": 1, "nextSequence": 1}, {"partition": 1, "nextSequence": 2}]}"#,
        #"{"version": 1, "identity": {"device": 1, "inode": 1, "fingerprint": ""}, "path": "p", "source": "p", "offset": 0, "producerId": 1, "producerEpoch": 70000, "sequences": []}"#,
        #"{"version": 1, "path": "p"}"#,
    ])
    func rejectsWhatItDoesNotUnderstand(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Checkpoint.self, from: Data(json.utf8))
        }
    }
}
