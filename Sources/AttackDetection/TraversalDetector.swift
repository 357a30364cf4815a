/// Path traversal and local file inclusion.
///
/// nginx resolves `.` and `..` in the URI before it maps a request to a file, but it logs
/// `$request` as the client sent it, so a logged path that climbs above the root (`/../..`,
/// `/a/../../b`) is a client that tried to leave the web root: a browser never sends one
/// (it resolves dot segments itself). A path that climbs but stays inside
/// (`/blog/../images/a.png`) is harmless and clean. Which dot runs count as `..`: any segment
/// made only of two or more dots (`....//` survives a filter that strips `../` once, and
/// Windows treats `...` like `..`), also before a `;` (Tomcat's `..;/`). `\` separates like `/`.
///
/// Query values are relative to a directory we cannot see, so there a climb alone is not
/// enough: we need a climb *and* a sensitive file (`../../etc/passwd`), three or more climbs,
/// or a value that *is* a sensitive absolute path or a PHP stream wrapper (`/etc/passwd`,
/// `c:\windows\win.ini`, `php://filter/...`).
enum TraversalDetector {
    /// How far `value` (a decoded path) climbs: the lowest depth reached, and the number of
    /// climbing segments.
    static func walk(_ value: ByteView) -> (lowestDepth: Int, climbs: Int) {
        var depth = 0
        var lowest = 0
        var climbs = 0
        var index = 0
        while index <= value.count {
            var end = index
            while end < value.count, value.base[end] != UInt8(ascii: "/"), value.base[end] != UInt8(ascii: "\\") { end += 1 }
            let length = end - index
            if length > 0 {
                var dots = 0
                while dots < length, value.base[index + dots] == UInt8(ascii: ".") { dots += 1 }
                let climbing = dots >= 2 && (dots == length || value.base[index + dots] == UInt8(ascii: ";"))
                if climbing {
                    depth -= 1
                    climbs += 1
                    lowest = min(lowest, depth)
                } else if !(dots == 1 && length == 1) {
                    depth += 1
                }
            }
            index = end + 1
        }
        return (lowest, climbs)
    }

    /// A request path (decoded) that climbs above the root.
    static func pathClimbsAboveRoot(_ value: ByteView) -> Bool { walk(value).lowestDepth < 0 }

    /// A query value (decoded) that reads a file it should not.
    static func isFileInclusion(_ value: ByteView) -> Bool {
        var start = 0
        while start < value.count, value.base[start].isLenientWhitespace { start += 1 }
        let trimmed = value.slice(start..<value.count)
        for wrapper in streamWrappers where trimmed.matches(wrapper, at: 0) { return true }
        let climbs = walk(trimmed).climbs
        if climbs >= 3 { return true }
        // An absolute path to a sensitive file: `/etc/passwd`, `c:\boot.ini`, `\\?\c:\...`.
        let first = trimmed[0]
        let absolute = first == UInt8(ascii: "/") || first == UInt8(ascii: "\\")
            || first.isASCIILetter && trimmed[1] == UInt8(ascii: ":") && (trimmed[2] == UInt8(ascii: "/") || trimmed[2] == UInt8(ascii: "\\"))
        // Neither climbing nor absolute: no file name makes it an inclusion (skips the list).
        guard climbs >= 1 || absolute else { return false }
        let target = namesSensitiveFile(trimmed)
        if target && climbs >= 1 { return true }
        // A file path, not a sentence about one ("/etc/hosts file format").
        return absolute && target && trimmed.firstIndex(of: " ") == nil
    }

    /// A referer whose own path climbs above its root and names a sensitive file.
    static func refererIsTraversal(_ value: ByteView) -> Bool {
        let walked = walk(pathOfURL(value))
        return walked.lowestDepth < 0 && namesSensitiveFile(value)
    }

    /// The path part of an absolute URL (`https://host/a/b` → `/a/b`); a relative URL as is.
    static func pathOfURL(_ value: ByteView) -> ByteView {
        guard let scheme = value.firstIndex(of: "://") else { return value }
        var index = scheme + 3
        while index < value.count, value.base[index] != UInt8(ascii: "/") { index += 1 }
        return value.slice(index..<value.count)
    }

    static func namesSensitiveFile(_ value: ByteView) -> Bool {
        for target in sensitiveFiles where value.contains(target) { return true }
        return false
    }

    /// PHP and other stream wrappers a file-inclusion parameter is abused with.
    private static let streamWrappers: [StaticString] = [
        "php://", "file://", "phar://", "zip://", "expect://", "glob://", "data://", "compress.zlib://",
        "compress.bzip2://", "zlib:", "ogg://", "ssh2.", "rar://",
    ]

    /// Files attackers read first (a selection from CRS's `lfi-os-files.data`, Apache-2.0,
    /// normalized to `/` where it matters; backslash forms are listed too).
    private static let sensitiveFiles: [StaticString] = [
        "etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/motd", "etc/mysql", "etc/httpd",
        "etc/apache", "etc/nginx", "etc/hostname", "etc/resolv", "etc/crontab", "etc/sudoers", "etc/profile",
        "proc/self/", "proc/version", "proc/cpuinfo", "proc/mounts", "proc/net/", "win.ini", "boot.ini",
        "system.ini", "windows/system32", "windows\\system32", "winnt/system32", "winnt\\system32",
        "system32/drivers", "system32\\drivers", ".htpasswd", ".htaccess", "web.config", "wp-config", ".ssh/", "id_rsa",
        ".bash_history", "var/log/", "bin/sh", "bin/bash", "cmd.exe", "windows/win", "windows\\win",
        "autoexec.bat", "php.ini", "my.cnf", ".env", "web-inf/web.xml", "web-inf\\web.xml", "config.php",
        "config.inc", "localsettings.php", "/var/www", "/root/", "repair/sam", "config/sam",
    ]
}
