// Names for the pointer fields, so the builder and reader take one generic method per type
// (`setText(.path, bytes)`, `reader.text(.path)`) instead of one method per field.

extension AccessRecord {
    /// The record's Text fields.
    public enum TextField: Sendable, CaseIterable {
        case site, edge, sourceFile, methodText, path, query, referer, userAgent, remoteUser, forwardedFor

        /// Pointer-section index, from `AccessRecordLayout`.
        var pointerIndex: Int {
            switch self {
            case .site: AccessRecordLayout.site
            case .edge: AccessRecordLayout.edge
            case .sourceFile: AccessRecordLayout.sourceFile
            case .methodText: AccessRecordLayout.methodText
            case .path: AccessRecordLayout.path
            case .query: AccessRecordLayout.query
            case .referer: AccessRecordLayout.referer
            case .userAgent: AccessRecordLayout.userAgent
            case .remoteUser: AccessRecordLayout.remoteUser
            case .forwardedFor: AccessRecordLayout.forwardedFor
            }
        }

        /// The owned record's property for this field.
        var keyPath: WritableKeyPath<AccessRecord, String> {
            switch self {
            case .site: \.site
            case .edge: \.edge
            case .sourceFile: \.sourceFile
            case .methodText: \.methodText
            case .path: \.path
            case .query: \.query
            case .referer: \.referer
            case .userAgent: \.userAgent
            case .remoteUser: \.remoteUser
            case .forwardedFor: \.forwardedFor
            }
        }
    }

    /// The record's Data fields.
    public enum DataField: Sendable, CaseIterable {
        case clientIp, rawLine

        /// Pointer-section index, from `AccessRecordLayout`.
        var pointerIndex: Int {
            switch self {
            case .clientIp: AccessRecordLayout.clientIp
            case .rawLine: AccessRecordLayout.rawLine
            }
        }

        var keyPath: WritableKeyPath<AccessRecord, [UInt8]> {
            switch self {
            case .clientIp: \.clientIp
            case .rawLine: \.rawLine
            }
        }
    }
}
