import AttackDetection
import Testing

/// Named cases: attacks that must be caught and look-alikes that must stay clean.
@Suite struct LookalikeTests {
    let detector = AttackDetector()

    func classes(_ path: String, _ query: String = "", agent: String = "Mozilla/5.0", referer: String = "-") -> AttackClasses {
        detector.classify(method: "GET", path: path, query: query, userAgent: agent, referer: referer)
    }

    @Test(arguments: [
        ("/search", "q=union+station"), ("/authors/o'reilly", ""), ("/search", "q=javascript+tutorial"),
        ("/comments", "text=I+<b>love</b>+it"), ("/products/select-comfort-mattress", ""), ("/search", "q=select+chair"),
        ("/calc", "expr=1-2"), ("/subscribe", "email=jane.doe%40example.com"), ("/search", "q=drop+shipping+table+lamps"),
        ("/books", "title=The+Alert+Reader&author=O%27Brien"), ("/search", "q=onerror+event+docs"),
        ("/blog/../images/a.png", ""), ("/search", "q=cats+and+dogs"), ("/search", "q=rock+%27n%27+roll"),
        ("/p", "utm_source=google&utm_medium=cpc&utm_campaign=spring_sale"), ("/q", "d=2024-01-15"),
        ("/search", "q=1+or+2+people"), ("/search", "q=where+is+george"), ("/search", "q=%22hello+world%22"),
        // Near the session-11 rules (union at the end, subqueries with a plain column, arithmetic
        // then a comment, a variable then a comment, stacked drop/delete/exec):
        ("/search", "q=european+union"), ("/search", "q=credit+union+select+card"), ("/search", "q=(select+one)"),
        ("/search", "q=(select+one+from+the+list)"), ("/calc", "expr=1-2+apples"), ("/c", "text=@john+--+thanks"),
        ("/c", "text=ok;+drop+me+a+line"), ("/c", "text=see+you;+delete+this+later"), ("/c", "text=nice+%27like%27+button"),
        ("/search", "q=+plain+words+o%27neil"), ("/authors/o'reilly--fan-club", ""), ("/c", "text=I+declare+@all+winners"),
        ("/search", "q=1/4%22-1/2%22+wide+ribbon"), ("/search", "q=4%27%2Bx%2B4%27+wood"), ("/search", "q=rock%27-n-%27roll"),
        ("/search", "q=please+update+profile+set+up"), ("/search", "q=credit+union+select"),
        ("/search", "q=having+(fun)"), ("/search", "q=step+1)+from+home"), ("/search", "q=select+from+list"),
    ])
    func lookalikesStayClean(path: String, query: String) {
        #expect(classes(path, query) == [], "\(path)?\(query)")
    }

    @Test(arguments: [
        ("/item.php", "id=1%27+or+%271%27%3D%271", AttackClasses.sqli),
        ("/item.php", "id=1'%20union%20select%201,2,3--", .sqli),
        ("/item.php", "id=1%2527%2520UnIoN%2520SeLeCt%2520null--", .sqli),
        ("/item.php", "id=1;drop+table+users", .sqli),
        ("/item.php", "id=1+and+sleep(5)", .sqli),
        ("/item.php", "id=1+and+1=1--", .sqli),
        ("/item.php", "id=1/**/union/**/select/**/1", .sqli),
        ("/item.php", "id=-1+union+select+0x41,@@version", .sqli),
        ("/item.php", "id=1+and+benchmark(1000000,md5(1))", .sqli),
        ("/login", "user=admin'--&pass=x", .sqli),
        ("/item.php", "id=1+union+select", .sqli),
        ("/item.php", "id=1/1/**/union%23--", .sqli),
        ("/item.php", "id=(select+id+from+users+limit+1,1)", .sqli),
        ("/item.php", "id=select+sin(1),2+from+bar+where", .sqli),
        ("/item.php", "id=1*1--", .sqli),
        ("/item.php", "id=@version--", .sqli),
        ("/item.php", "id=1;delete+low_priority+from+foo", .sqli),
        ("/item.php", "id=exec+sp_add_job+@job_name+=+%27x%27", .sqli),
        ("/item.php", "id=+aa%27/1+or+%271", .sqli),
        ("/products/admin'--", "", .sqli),
        ("/item.php", "id=aa%27%5E0+0%3D%270", .sqli),
        ("/item.php", "id=aa%27%7C3!%3D%274", .sqli),
        ("/item.php", "id=21+update+categories+set+title%3D1", .sqli),
        ("/item.php", "id=0/**/union/*!50000select*/table_name", .sqli),
        ("/item.php", "id=id+having+(1+or+1)", .sqli),
        ("/item.php", "id=1)+from+users+where+username%3D%27x%27)", .sqli),
        ("/item.php", "id=select+@version+foo", .sqli),
        ("/item.php", "id=exec(@stored_proc+@param)", .sqli),
        ("/item.php", "id=1;+begin+declare+@xy+varchar(8000)", .sqli),
        ("/search", "q=<script>alert(1)</script>", .xss),
        ("/search", "q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", .xss),
        ("/search", "q=%22%3E%3Csvg%2Fonload%3Dalert(1)%3E", .xss),
        ("/redirect", "to=javascript:alert(1)", .xss),
        ("/redirect", "to=java%09script:alert(1)", .xss),
        ("/p", "name=&lt;script&gt;alert(1)&lt;/script&gt;", .xss),
        ("/p", "x=%253Csvg%2520onload%253Dalert(1)%253E", .xss),
        ("/../../etc/passwd", "", .traversal),
        ("/static/..%2f..%2f..%2fetc%2fpasswd", "", .traversal),
        ("/images/..%c0%af..%c0%af..%c0%afetc/passwd", "", .traversal),
        ("/index.php", "page=../../../../etc/passwd", .traversal),
        ("/index.php", "page=php://filter/convert.base64-encode/resource=index.php", .traversal),
    ])
    func attacksAreCaught(path: String, query: String, expected: AttackClasses) {
        #expect(classes(path, query).contains(expected), "\(path)?\(query)")
    }

    @Test func scannerAgents() {
        #expect(classes("/", agent: "sqlmap/1.7.2#stable (https://sqlmap.org)") == .scanner)
        #expect(classes("/", agent: "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)") == .scanner)
        #expect(classes("/", agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36") == [])
    }
}
