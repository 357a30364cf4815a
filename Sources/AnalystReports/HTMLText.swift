/// Text placed into the HTML report.
///
/// Every string that came from a log (sites, request lines, user agents, IPs) is full of markup
/// on purpose — the attack samples are XSS payloads — so it goes through `escaped` before it
/// touches the page: `&`, `<`, `>`, `"` and `'` become character references, which is enough
/// both between tags and inside a quoted attribute. Control characters other than tab and
/// newline are dropped (a terminal's escape sequences mean nothing in a page).
enum HTMLText {
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
