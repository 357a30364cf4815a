/// Finds markup or script that a browser would run if the value were reflected into a page.
///
/// A small HTML-context tokenizer: every `<` followed by a tag name opens a tag, whose
/// attributes are read as a browser reads them (`/` and whitespace separate, values quoted
/// or not). The value is an attack when it carries
/// - a tag that runs or loads code by itself (`<script`, `<iframe`, `<svg`, `<object`...),
/// - any tag with an event handler attribute (`<img src=x onerror=...>`) or with a script
///   URL in a URL attribute (`<a href=javascript:...>`) or a CSS expression in `style`,
/// - an attribute breakout without a tag: a quote, then an event handler
///   (`" onmouseover="alert(1)`), or a script URL where a URL is expected
///   (`javascript:alert(1)`, also with tabs, newlines or entities inside the scheme),
/// - a JavaScript string breakout: a quote, then a call of a known sink (`';alert(1)//`).
///
/// Plain markup (`<b>`, `<i>`, `a<b`), words (`onerror`, `javascript tutorial`) and
/// ordinary URLs are clean. The input is decoded and lower-cased.
enum XSSDetector {
    static func isAttack(_ value: ByteView) -> Bool {
        var index = 0
        var sawQuote = false
        while index < value.count {
            let byte = value.base[index]
            switch byte {
            case UInt8(ascii: "<"):
                if tagIsDangerous(value, at: index) { return true }
                // Processing instructions and DTDs that pull in content: `<?xml`, `<!entity`.
                if value.matches("<?xml", at: index) || value.matches("<!entity", at: index)
                    || value.matches("<!doctype", at: index) || value.matches("<?import", at: index)
                {
                    return true
                }
            case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
                sawQuote = true
                if attributeBreakout(value, after: index) { return true }
            case UInt8(ascii: ":"):
                if scriptScheme(value, endingAt: index) { return true }
            case UInt8(ascii: "("), UInt8(ascii: "`"):
                if sawQuote, sinkCall(value, callAt: index) { return true }
            case UInt8(ascii: "e") where value.matches("expression(", at: index):
                if index > 0, value.contains(":") { return true }
            default:
                break
            }
            index += 1
        }
        return false
    }

    // MARK: - Tags

    /// Tags that run or load code with no attribute help, or whose mere presence in a value
    /// is a reflected-markup attack.
    private static let dangerousTags: Set<UInt64> = Set([
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "meta",
        "xml", "isindex", "portal", "import", "xss", "layer", "ilayer", "bgsound", "template", "handler",
        "listener", "vmlframe", "animate", "set", "eval", "style", "link", "stylesheet", "xmp", "plaintext",
    ].map(wordHash))

    private static func tagIsDangerous(_ value: ByteView, at index: Int) -> Bool {
        var cursor = index + 1
        if value[cursor] == UInt8(ascii: "/") { cursor += 1 }
        let nameStart = cursor
        while value[cursor].isASCIILetter || value[cursor].isASCIIDigit && cursor > nameStart
            || value[cursor] == UInt8(ascii: ":") || value[cursor] == UInt8(ascii: "-")
        {
            cursor += 1
        }
        guard cursor > nameStart, value[nameStart].isASCIILetter else { return false }
        // The name must end where a browser ends it; `<scriptx` is another tag.
        let after = value[cursor]
        guard after == 0 || after.isLenientWhitespace || after == UInt8(ascii: "/") || after == UInt8(ascii: ">") else {
            return false
        }
        var name = nameStart..<cursor
        if let colon = value.slice(name).firstIndex(of: ":") {
            name = (nameStart + colon + 1)..<cursor  // <x:script>, <svg:svg>
        }
        if dangerousTags.contains(wordHash(value, name)) { return true }
        return attributesAreDangerous(value, from: cursor)
    }

    /// Reads attributes up to `>` (or the end): any event handler, script URL or CSS
    /// expression makes the tag dangerous.
    private static func attributesAreDangerous(_ value: ByteView, from: Int) -> Bool {
        var cursor = from
        while cursor < value.count {
            var byte = value.base[cursor]
            if byte == UInt8(ascii: ">") { return false }
            if byte.isLenientWhitespace || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                cursor += 1
                continue
            }
            let nameStart = cursor
            while cursor < value.count {
                byte = value.base[cursor]
                if byte.isLenientWhitespace || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "=") {
                    break
                }
                cursor += 1
            }
            let name = value.slice(nameStart..<cursor)
            var blank = cursor
            while value[blank].isLenientWhitespace { blank += 1 }
            guard value[blank] == UInt8(ascii: "=") else { continue }
            cursor = blank + 1
            while value[cursor].isLenientWhitespace { cursor += 1 }
            if isEventHandler(name) || name.matches("datasrc", at: 0) || name.matches("datafld", at: 0) { return true }
            // The attribute's value: quoted or up to whitespace / `>`.
            let quote = value[cursor]
            var valueEnd: Int
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") || quote == UInt8(ascii: "`") {
                cursor += 1
                valueEnd = cursor
                while valueEnd < value.count, value.base[valueEnd] != quote { valueEnd += 1 }
            } else {
                valueEnd = cursor
                while valueEnd < value.count, !value.base[valueEnd].isLenientWhitespace, value.base[valueEnd] != UInt8(ascii: ">") {
                    valueEnd += 1
                }
            }
            let attributeValue = value.slice(cursor..<valueEnd)
            if startsWithScriptScheme(attributeValue) { return true }
            if name.matches("style", at: 0),
                attributeValue.contains("expression(") || attributeValue.contains("javascript:")
                    || attributeValue.contains("behavior") || attributeValue.contains("behaviour")
                    || attributeValue.contains("-moz-binding") || attributeValue.contains("url(")
                    || attributeValue.contains("\\") || attributeValue.contains("@import")
            {
                return true
            }
            cursor = valueEnd + 1
        }
        return false
    }

    // MARK: - Attributes, URLs and script outside a tag

    /// `on` + letters: a browser event handler name (`onerror`, `onpointerenter`...). A word
    /// like `one`, `only` or `online` is excluded by requiring a known event stem.
    static func isEventHandler(_ name: ByteView) -> Bool {
        guard name.count >= 5, name.matches("on", at: 0) else { return false }
        for index in 2..<name.count where !name.base[index].isASCIILetter { return false }
        let stem = name.slice(2..<name.count)
        for prefix in eventStems where stem.matches(prefix, at: 0) { return true }
        return false
    }

    private static let eventStems: [StaticString] = [
        "abort", "activate", "after", "animation", "auxclick", "before", "begin", "blur", "bounce", "cancel",
        "canplay", "change", "click", "close", "contextmenu", "copy", "cue", "cut", "dblclick", "drag", "drop",
        "durationchange", "end", "error", "finish", "focus", "formdata", "fullscreen", "hashchange", "help", "input",
        "invalid", "key", "load", "lose", "message", "mouse", "move", "offline", "online", "page", "paste", "pause",
        "play", "pointer", "popstate", "progress", "propertychange", "ratechange", "readystatechange", "repeat",
        "reset", "resize", "scroll", "search", "seek", "select", "show", "stalled", "start", "storage", "submit",
        "suspend", "timeupdate", "toggle", "touch", "transition", "unload", "volumechange", "waiting", "wheel",
        "zoom", "message", "row", "data", "filter", "lay", "control",
    ]

    /// After a quote: whitespace or `/`, then `on<event>=` — the value closed the attribute
    /// it was placed in and opened a handler of its own.
    private static func attributeBreakout(_ value: ByteView, after quote: Int) -> Bool {
        var cursor = quote + 1
        var separated = false
        while value[cursor].isLenientWhitespace || value[cursor] == UInt8(ascii: "/") {
            cursor += 1
            separated = true
        }
        guard separated || value[cursor] == UInt8(ascii: "o") else { return false }
        let nameStart = cursor
        while value[cursor].isASCIILetter { cursor += 1 }
        let name = value.slice(nameStart..<cursor)
        while value[cursor].isLenientWhitespace { cursor += 1 }
        guard value[cursor] == UInt8(ascii: "=") else { return false }
        return isEventHandler(name) || name.matches("style", at: 0) && value.contains("expression(")
            || (name.matches("href", at: 0) || name.matches("src", at: 0) || name.matches("action", at: 0)
                || name.matches("formaction", at: 0))
                && startsWithScriptScheme(value.slice((cursor + 1)..<value.count))
    }

    /// The colon at `colon` ends `javascript`, `vbscript`, `livescript`, or `data:text/html`
    /// follows it — possibly with whitespace and control bytes inside the scheme, which
    /// browsers strip — and script follows, at the start of the value or of an attribute.
    private static func scriptScheme(_ value: ByteView, endingAt colon: Int) -> Bool {
        guard let start = schemeStart(value, colon: colon) else {
            return dataHTML(value, colon: colon)
        }
        // The scheme must begin the value or follow something that starts a URL.
        var before = start - 1
        while before >= 0, value.base[before] <= 0x20 { before -= 1 }
        if before >= 0 {
            let opener = value.base[before]
            guard opener == UInt8(ascii: "=") || opener == UInt8(ascii: "\"") || opener == UInt8(ascii: "'")
                || opener == UInt8(ascii: "(") || opener == UInt8(ascii: "`") || opener == UInt8(ascii: ">")
                || opener == UInt8(ascii: "/")
            else { return false }
        }
        return scriptFollows(value, from: colon + 1)
    }

    /// The index where `javascript` / `vbscript` / `livescript` starts if the letters before
    /// `colon` spell one of them (ignoring bytes ≤ 0x20 between the letters).
    private static func schemeStart(_ value: ByteView, colon: Int) -> Int? {
        for scheme in ["tpircsavaj", "tpircsbv", "tpircsevil"] as [StaticString] {
            var cursor = colon - 1
            var matched = 0
            let length = scheme.utf8CodeUnitCount
            while cursor >= 0, matched < length {
                let byte = value.base[cursor]
                if byte <= 0x20 {
                    cursor -= 1
                    continue
                }
                if byte != scheme.utf8Start[matched] { break }
                matched += 1
                cursor -= 1
            }
            if matched == length { return cursor + 1 }
        }
        return nil
    }

    /// `data:text/html`, `data:image/svg+xml` or `data:application/x-javascript` URLs.
    private static func dataHTML(_ value: ByteView, colon: Int) -> Bool {
        guard colon >= 4, value.matches("data", at: colon - 4) else { return false }
        var cursor = colon + 1
        while value[cursor].isLenientWhitespace { cursor += 1 }
        return value.matches("text/html", at: cursor) || value.matches("image/svg+xml", at: cursor)
            || value.matches("application/x-javascript", at: cursor) || value.matches("text/javascript", at: cursor)
            || value.matches("application/javascript", at: cursor)
    }

    /// Script after a scheme: something that calls, assigns or evaluates.
    private static func scriptFollows(_ value: ByteView, from: Int) -> Bool {
        var cursor = from
        while cursor < value.count, cursor < from + 200 {
            switch value.base[cursor] {
            case UInt8(ascii: "("), UInt8(ascii: "`"), UInt8(ascii: "="), UInt8(ascii: "["), UInt8(ascii: "/"),
                UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: ";"), UInt8(ascii: "%"), UInt8(ascii: "."):
                return true
            default:
                cursor += 1
            }
        }
        return false
    }

    private static func startsWithScriptScheme(_ value: ByteView) -> Bool {
        var cursor = 0
        while cursor < value.count, value.base[cursor] <= 0x20 { cursor += 1 }
        var letters = 0
        while cursor < value.count, letters < 16 {
            let byte = value.base[cursor]
            if byte == UInt8(ascii: ":") {
                return schemeStart(value, colon: cursor) != nil || dataHTML(value, colon: cursor)
            }
            if !(byte.isASCIILetter || byte <= 0x20) { return false }
            letters += 1
            cursor += 1
        }
        return false
    }

    /// JavaScript sinks an injected script calls first.
    private static let sinks: [StaticString] = [
        "alert", "confirm", "prompt", "eval", "settimeout", "setinterval", "fetch", "atob", "document.write",
        "document.location", "window.location", "location.href", "function", "constructor", "import", "print",
        "document.cookie", "top[", "self[", "window[", "this[", "parent[", "frames[", "globalthis",
    ]

    /// A sink immediately before the `(` or backtick at `callAt`, in a value that also has a
    /// quote (so it can leave a string): `';alert(1)//`, `"-prompt(1)-"`.
    private static func sinkCall(_ value: ByteView, callAt: Int) -> Bool {
        var end = callAt
        while end > 0, value.base[end - 1].isLenientWhitespace { end -= 1 }
        for sink in sinks {
            let length = sink.utf8CodeUnitCount
            let start = end - length
            guard start >= 0, value.matches(sink, at: start) else { continue }
            // A whole identifier, preceded by an operator, `;`, a quote or `)`: a statement.
            var before = start - 1
            while before >= 0, value.base[before].isLenientWhitespace { before -= 1 }
            guard before >= 0 else { return false }
            switch value.base[before] {
            case UInt8(ascii: ";"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: ")"),
                UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "|"), UInt8(ascii: "&"),
                UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "^"),
                UInt8(ascii: "/"), UInt8(ascii: "("), UInt8(ascii: ",") , UInt8(ascii: "?"), UInt8(ascii: ":"):
                return true
            default:
                return false
            }
        }
        return false
    }
}
