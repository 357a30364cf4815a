/// LZ4 stages; filled in once LZ4Frame is merged.
enum CompressionStages {
    static func run(
        batches: [[UInt8]], log: [UInt8], path: String, lines: Int, repetitions: Int, recordBytes: Int
    ) throws -> [Measurement] {
        []
    }
}
