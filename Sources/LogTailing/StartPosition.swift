/// Where files that already exist at the shipper's very first start begin (`--start-at`).
/// Files that appear later, and files without a checkpoint on a later start, always begin at
/// the beginning: their lines were written after the shipper was set up to ship them.
public enum StartPosition: String, Sendable, Equatable, CaseIterable {
    /// Ship the whole existing file.
    case beginning
    /// Ship only lines written from now on (from the last line boundary).
    case end
}
