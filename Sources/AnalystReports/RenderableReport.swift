/// A finished report: JSON for scripts (`ReportJSON`), text for a terminal.
public protocol RenderableReport: Encodable, Sendable {
    /// Aligned tables and sparklines, every log-derived string made terminal-safe.
    func text() -> String
}

extension TopReport: RenderableReport {}
extension CacheReport: RenderableReport {}
extension StatusReport: RenderableReport {}
extension UniquesReport: RenderableReport {}
extension AttacksReport: RenderableReport {}
extension AuditReport: RenderableReport {}
