#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets into SEEDS/<target>/ (default fuzz/seeds).

Seeds come from the project's own sample data (data/, config/, the README's audit record) and,
when the shared lists are present (../shared/data beside the checkout, or
$CLEARANCE_SHARED_DATA), from small slices of the real published lists. Nothing here is
committed: the shared lists must not enter the repository, so the slices are cut at run time.

Usage: seeds.py SEEDS_DIR SNAPSHOT_FILE
SNAPSHOT_FILE is a snapshot `clearance build --config config/sample.toml` wrote (run.sh makes it).
"""

import csv
import io
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
out_dir = Path(sys.argv[1])
snapshot_file = Path(sys.argv[2])
shared = Path(os.environ.get("CLEARANCE_SHARED_DATA", ROOT.parent / "shared" / "data"))
have_shared = (shared / "README.md").is_file()
counts = {}


def seed(target, name, data):
    d = out_dir / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / name).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1


sample = [json.loads(l) for l in (ROOT / "data/sample-list.jsonl").read_text().splitlines() if l.strip()]
names = [e["name"] for e in sample] + [a for e in sample for a in e.get("aliases", [])]

# native: the sample list itself in both forms, and slices of it.
jsonl = (ROOT / "data/sample-list.jsonl").read_text()
seed("native", "sample.jsonl", jsonl)
for i in range(0, len(sample), 8):
    seed("native", f"slice{i}.jsonl", "\n".join(json.dumps(e, ensure_ascii=False) for e in sample[i : i + 8]) + "\n")
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(["id", "name", "aliases", "kind", "countries"])
for e in sample:
    w.writerow([e["id"], e["name"], ";".join(e.get("aliases", [])), e.get("kind", ""), ";".join(e.get("countries", []))])
seed("native", "sample.csv", buf.getvalue())

# normalize: every sample name, a few scripts and look-alikes.
for i, n in enumerate(names):
    seed("normalize", f"sample{i}", n)
for i, n in enumerate(["Коваленко Андрей", "AL-QA'IDA", "Gаzprom", "S.A.", "ＡＢＣ　Ｃｏ．，Ｌｔｄ．", "محمد بن سلمان",
                       "Obshchestvo s ogranichennoy otvetstvennostyu Romashka", "GP21 & A320", "Ζήτα Co Limited", "李 小龙", "x\u200by\u00adz"]):
    seed("normalize", f"script{i}", n)

# query: requests in the target's line format (see fuzz/src/lib.rs `request_of`).
for i, e in enumerate(sample[:20]):
    countries = "|".join(e.get("countries", []))
    kinds = {"person": 1, "organization": 2, "vessel": 3, "aircraft": 4}
    lines = [e["name"], str(kinds.get(e.get("kind", ""), 0)), countries, "imo=9187629|passport=AB 123-456",
             "1 Main St, Moscow, Russia", e.get("aliases", [""])[0] if e.get("aliases") else "", "1970-01-01",
             "2026-01-01" if i % 2 else "", "sample" if i % 3 else "", "0.5" if i % 4 else "", "5" if i % 5 else ""]
    seed("query", f"sample{i}", "\n".join(lines))
seed("query", "minimal", "Huawei")
# Persons with their listed date of birth and nationalities (the last line), and a date that
# is not one.
for i, e in enumerate(x for x in sample if x.get("kind") == "person"):
    dob = (e.get("birth_dates") or ["1962"])[0] if i % 2 else "23 Nov 1962"
    lines = [e["name"], "1", "", "", "", "", dob, "", "", "0.5", "", "|".join(e.get("nationalities", ["Turkey"]))]
    seed("query", f"person{i}", "\n".join(lines))

# config: the shipped configs.
for p in sorted((ROOT / "config").glob("*.toml")):
    seed("config", p.name, p.read_bytes())

# snapshot: the sample snapshot as a file (read path) and its payload (decode path, first byte 0).
snap = snapshot_file.read_bytes()
seed("snapshot", "sample.clr", snap)
seed("snapshot", "sample.payload", b"\0" + snap[64:])

# audit: records shaped as the README documents them, a rejected one and a torn last line.
def record(i, party, result=None, rejected=None, options=None, as_of=None):
    r = {"v": 1, "request_id": f"{i:032x}", "time": "2026-11-29T18:59:09.876711215Z", "method": "Screen",
         "caller": {"peer": "127.0.0.1:58008"}, "request": {"request_id": "cli", "party": party}}
    if options:
        r["request"]["options"] = options
    if as_of:
        r["request"]["as_of"] = as_of
    if result:
        r["result"] = result
    if rejected:
        r["rejected"] = rejected
    return json.dumps(r, ensure_ascii=False)

snapshot_rec = {"version": "152db9ff858b187e", "datasets": [{"name": "sample", "sha256": "d85f3c8b"}]}
lines = []
for i, e in enumerate(sample[:12]):
    hit = {"entity_id": "sample:" + e["id"], "dataset": "sample", "name": e["name"], "matched_name": e["name"],
           "score": 1.0, "decision": "deny", "explanation": "score 1.00: matched the primary name"}
    party = {"name": e["name"], "countries": e.get("countries", []), "kind": e.get("kind", "")}
    if i % 3 == 0:
        party["identifiers"] = [{"scheme": "LEI", "value": "5493001KJTIIGC8Y1R12"}]
        party["parents"] = ["Rosneft"]
    result = {"decision": "deny" if i % 2 else "review", "explanation": "deny: " + e["name"], "as_of": "2026-11-29",
              "hits": [hit], "snapshot": snapshot_rec}
    lines.append(record(i, party, result=result, options={"datasets": ["sample"], "min_score": 0.5, "max_hits": 3} if i % 2 else None,
                        as_of="2026-01-01" if i % 4 == 1 else None))
lines.append(record(99, {"name": ""}, rejected={"code": "InvalidArgument", "message": "party.name: must not be empty"}))
seed("audit", "log.jsonl", "\n".join(lines) + "\n")
seed("audit", "torn.jsonl", "\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2])

# edges: both forms.
edges = [{"owner": "sample:el-huawei-technologies", "owned": "Huawei Cloud Singapore", "percent": 100, "start": "2020-01-01",
          "end": None, "source": "registry extract", "relation": "owner"},
         {"owner": "Acme Holdings", "owned": "Acme Shipping Ltd", "percent": 51.5, "relation": "control"},
         {"owner": "X", "owned": "Y", "relation": "linked", "end": "2024-12-31"}]
seed("edges", "edges.jsonl", "\n".join(json.dumps(e) for e in edges) + "\n")
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(["owner", "owned", "percent", "start", "end", "source", "relation"])
for e in edges:
    w.writerow([e.get(k) if e.get(k) is not None else "" for k in ["owner", "owned", "percent", "start", "end", "source", "relation"]])
seed("edges", "edges.csv", buf.getvalue())

if have_shared:
    # OFAC legacy CSV: N primary rows and the alt/add/comments rows that belong to them, the
    # four parts joined by NUL (the target's input format).
    def ofac(folder, prefix, n, tag):
        def rows(name):
            p = shared / folder / name
            return p.read_bytes().decode("cp1252", "replace").splitlines(keepends=True) if p.exists() else []
        prim = rows(prefix[0])
        for start in range(0, min(len(prim), 60 * n), 60):
            chosen = prim[start : start + n]
            nums = {l.split(",", 1)[0] for l in chosen}
            parts = ["".join(chosen)] + ["".join(l for l in rows(f) if l.split(",", 1)[0] in nums) for f in prefix[1:]]
            seed("ofac_csv", f"{tag}{start}", b"\0".join(p.encode("cp1252", "replace") for p in parts))
    ofac("ofac-sdn-2021", ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"], 12, "sdn")
    ofac("ofac-consolidated-2025", ["cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"], 12, "cons")

    # trade.gov CSL: the header and a few rows from each source list.
    with open(shared / "trade-csl-2022/consolidated.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    by_source = {}
    for r in rows[1:]:
        by_source.setdefault(r[1] if len(r) > 1 else "", []).append(r)
    for i, (src, rs) in enumerate(sorted(by_source.items())):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(rows[0])
        w.writerows(rs[:6])
        seed("trade_csl", f"source{i}.csv", buf.getvalue())

    # BIS DPL: the header and slices of rows.
    dpl = (shared / "bis-dpl-2022/dpl.txt").read_bytes().splitlines(keepends=True)
    for start in range(1, min(len(dpl), 200), 25):
        seed("bis_dpl", f"rows{start}", dpl[0] + b"".join(dpl[start : start + 8]))

    # UN XML: the list's opening, a few records of each kind, the closing tags.
    xml = (shared / "un-2026/consolidated.xml").read_text(encoding="utf-8")
    head = xml[: xml.index("<INDIVIDUALS>")]
    inds = re.findall(r"<INDIVIDUAL>.*?</INDIVIDUAL>", xml, re.S)
    ents = re.findall(r"<ENTITY>.*?</ENTITY>", xml, re.S)
    for k in range(6):
        body = "<INDIVIDUALS>" + "".join(inds[k * 40 : k * 40 + 3]) + "</INDIVIDUALS><ENTITIES>" + "".join(ents[k * 20 : k * 20 + 2]) + "</ENTITIES>"
        seed("un_xml", f"slice{k}.xml", head + body + "</CONSOLIDATED_LIST>\n")
    for i, m in enumerate(re.findall(r"<(?:FIRST_NAME|SECOND_NAME|NAME_ORIGINAL_SCRIPT)>([^<]+)<", xml)[:300:5]):
        seed("normalize", f"un{i}", m)

    # FtM: slices of both fixtures.
    for fx in ["zala.ftm.json", "donations.ftm.json"]:
        lines = (shared / "ftm-fixtures" / fx).read_bytes().splitlines(keepends=True)
        for start in range(0, min(len(lines), 120), 20):
            seed("ftm", f"{fx}.{start}", b"".join(lines[start : start + 10]))
    zala = [json.loads(l) for l in (shared / "ftm-fixtures/zala.ftm.json").read_text().splitlines() if l.strip()]
    seed("ftm", "zala-ownership", "\n".join(json.dumps(e) for e in zala if e.get("schema") in ("Ownership", "Directorship")) + "\n")
else:
    print(f"seeds.py: no shared lists at {shared}: the list loaders start from the sample data only", file=sys.stderr)

for t in ["ofac_csv", "trade_csl", "un_xml", "bis_dpl", "ftm"]:
    if t not in counts:
        seed(t, "empty", b"")
print("seeds:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
