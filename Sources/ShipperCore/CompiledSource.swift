import LogTailing
import NginxLog
import RequestEncoding

/// One `files` entry with its log format compiled, kept together so nothing has to find a
/// source's format again by its place in a list.
///
/// The pipeline compiles every source once when it is built (`ShipperConfiguration.validate()`
/// only checks that each compiles) and keeps them in `configuration.sources` order; the
/// tailer is given exactly `compiled.map(\.source)`, so the `sourceIndex` of a tailed file
/// names its `CompiledSource`, and each encoding worker's encoders follow that same list.
struct CompiledSource: Sendable {
    let source: LogSource
    let format: LogFormat

    /// Compiles the source's format: a built-in by name, else the `log_format` text.
    init(_ source: LogSource) throws(ShipperConfigurationError) {
        self.source = source
        self.format = try SourceSpecification.logFormat(of: source)
    }

    /// A fresh encoder for the source's lines (parsers keep caches: one per worker).
    var encoder: ParsedLineEncoder {
        ParsedLineEncoder(parser: LogParser(format: format, siteLabel: source.siteLabel))
    }
}
