/// Text from the logs made safe to print on a terminal.
///
/// Sites (`$host`), request lines and user agents are written by whoever sends the request; a
/// scanner that puts `ESC ]` or `ESC [` in them must not be able to retitle, recolour or clear
/// the operator's terminal. Every C0 and C1 control character and DEL is shown as `\xHH`
/// (nginx's own escape notation) and the rest passes unchanged.
public enum TerminalText {
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F)
    }
}
