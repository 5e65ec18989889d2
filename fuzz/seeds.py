#!/usr/bin/env python3
"""Seed every fuzz target's corpus from the shipped files and the tests'
cases (fuzz/corpus/TARGET/). Run from the repository root; then minimise
with `cargo +nightly fuzz cmin -s none TARGET` (see docs/RELIABILITY.md).
Shard seeds need shard files made by `simulate run --shard`: pass their
folder as the first argument."""
import glob, hashlib, os, re, sys

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = f"fuzz/corpus/{target}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/seed-{hashlib.sha1(data).hexdigest()[:16]}", "wb") as f:
        f.write(data)

def extends_of(text):
    m = re.search(r'^extends\s*=\s*"([^"]+)"', text, re.M)
    return m.group(1) if m else None

# scenario: the file, then each file it extends as NUL + NAME\nTEXT, NAME
# relative to the fuzzer's main file (s/main.toml).
for path in sorted(glob.glob("scenarios/*.toml") + glob.glob("scenarios/*/*.toml")):
    if "/targets/" in path:
        continue
    text = open(path).read()
    data = text
    here = os.path.dirname(path)
    rel_dir = "."
    seen = 0
    ext = extends_of(text)
    while ext and seen < 5:
        parent = os.path.normpath(os.path.join(here, ext))
        rel_dir = os.path.normpath(os.path.join(rel_dir, os.path.dirname(ext)))
        name = os.path.normpath(os.path.join(rel_dir, os.path.basename(ext)))
        ptext = open(parent).read()
        data += "\0" + name + "\n" + ptext
        here = os.path.dirname(parent)
        ext = extends_of(ptext)
        seen += 1
    put("scenario", data)
put("scenario", open("tests/data/calibrate-world.toml").read())

# --set arguments from the tests (good and bad).
sets = set()
for f in glob.glob("tests/*.rs") + glob.glob("src/scenario/*.rs") + glob.glob("src/app/*.rs"):
    for m in re.finditer(r'"((?:parameters|polity|operator|shock|scenario|shocks)\.[^"=]*=[^"]*)"', open(f).read()):
        sets.add(m.group(1))
sets |= {"eu_conditionality=1", " parameters.b0 = -2 ", "eu_conditionality",
         "polity.SRB.orientation={ beta = [6, 3] }\0shock.srb-auction.date=2026-06",
         "scenario.end=2030-12\0scenario.seed=9\0polity.SRB.nato=true",
         "polity.SRB.orientation=0.2:0.8", "shock.srb-government-change.probability=0.8"}
for s in sets:
    put("setting", s)

# outcomes and --when conditions.
outs = set()
for f in glob.glob("scenarios/*.toml") + glob.glob("scenarios/*/*.toml") + glob.glob("tests/*.rs") + glob.glob("src/scenario/*.rs") + glob.glob("src/app/*.rs"):
    for m in re.finditer(r'"((?:class [A-Za-z-]+ \w+|[a-z_0-9]+ [A-Za-z][A-Za-z0-9-]*) at [^"]*)"', open(f).read()):
        outs.add(m.group(1))
outs |= {"class SRB cautious at start", "trusted_procurement SRB at 2030-12 <= 0.5", "", "class"}
for o in outs:
    put("outcome", o)

# targets files: the shipped one, and each of its targets alone.
for path in glob.glob("scenarios/targets/*.toml"):
    text = open(path).read()
    put("targets", text)
    for block in text.split("[[target]]")[1:8]:
        put("targets", "[[target]]" + block)
put("targets", 'discrepancy = 0.05\n[[target]]\nrate = "eu_stage"\nof = ["ALB", "MNE"]\nfrom = "2021-12"\nto = "2024-12"\nbetween = [0.3, 0.5]\nsource = "x"\n')

# shard files (made by simulate run --shard i/n): one file, and a whole set.
if len(sys.argv) > 1:
    sets_of = {}
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "**/*.json"), recursive=True)):
        data = open(path, "rb").read()
        put("shard", data)
        sets_of.setdefault(os.path.dirname(path), []).append(data)
    for files in sets_of.values():
        put("shard", b"\0".join(files))

# workshop requests.
for req in [
    "GET\0/\0\0", "GET\0/index.html\0\0", "GET\0/api/setup\0\0",
    'POST\0/api/run\0\0{"values":{}}',
    'POST\0/api/run\0\0{"values":{},"tier":"full","metric":"trusted_share"}',
    'POST\0/api/run\0\0{"values":{"parameters.eu_conditionality":"0.2"},"pin":{}}',
    'POST\0/api/save\0\0{"values":{"parameters.eu_conditionality":"0.2"}}',
    'POST\0/api/save\0\0{"values":{}}', "DELETE\0/api/run\0\0", "GET\0/../Cargo.toml\0\0",
    "GET\0/api/setup\0a=1&b=2\0",
]:
    put("workshop", req)
