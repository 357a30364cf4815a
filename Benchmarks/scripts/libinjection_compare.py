#!/usr/bin/env python3
"""Scores libinjection (PyPI libinjection-python) and our AttackDetector on the same corpus.

Installs nothing itself. Run (see BENCHMARKS.md):
    python3 -m venv /tmp/libinj-venv && /tmp/libinj-venv/bin/pip install libinjection-python
    .build-bench-pkg/release/detect-bench --jsonl /tmp/ours.jsonl
    /tmp/libinj-venv/bin/python Benchmarks/scripts/libinjection_compare.py \
        Tests/AttackDetectionTests/Fixtures/corpus.tsv /tmp/ours.jsonl

libinjection sees what a browser-facing application would: the path and every query value
(and name), nginx's \\xHH undone, then percent-decoded once with '+' as space
(urllib.parse.unquote_plus); a request is sqli/xss if any piece is.
"""
import json, re, sys, time
import libinjection

def unescape_nginx(s):
    return re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), s)

def pieces(path, query):
    from urllib.parse import unquote, unquote_plus
    out = [unquote(unescape_nginx(path))]
    for pair in unescape_nginx(query).split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        out.append(unquote_plus(value))
        if value:
            out.append(unquote_plus(name))
    return out

def score(pairs):
    tp = sum(1 for e, f in pairs if e and f); fp = sum(1 for e, f in pairs if not e and f)
    fn = sum(1 for e, f in pairs if e and not f)
    p = tp / (tp + fp) if tp + fp else 1.0; r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, tp, fp, fn

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if not l.startswith("#") and l.strip()]
ours = [json.loads(l) for l in open(sys.argv[2])]
assert len(ours) == len(rows), (len(ours), len(rows))

start = time.perf_counter()
lib = []
for labels, method, path, query, ua, referer, source in rows:
    found = set()
    for piece in pieces(path, query):
        if libinjection.is_sql_injection(piece)["is_sqli"]:
            found.add("sqli")
        if libinjection.is_xss(piece)["is_xss"]:
            found.add("xss")
    lib.append(found)
elapsed = time.perf_counter() - start

print("%d rows; libinjection (Python binding) %.0f requests/s" % (len(rows), len(rows) / elapsed))
print("%-10s %-12s %9s %9s %6s %6s %6s" % ("class", "detector", "precision", "recall", "tp", "fp", "fn"))
for cls in ["sqli", "xss", "traversal", "scanner"]:
    expected = [cls in r[0].split(",") for r in rows]
    for name, found in (("ours", [cls in o["classes"] for o in ours]), ("libinjection", [cls in f for f in lib])):
        if name == "libinjection" and cls in ("traversal", "scanner"):
            print("%-10s %-12s %9s %9s" % (cls, name, "n/a", "n/a"))
            continue
        p, r, tp, fp, fn = score(list(zip(expected, found)))
        print("%-10s %-12s %9.4f %9.4f %6d %6d %6d" % (cls, name, p, r, tp, fp, fn))
