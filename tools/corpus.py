"""Build the training corpus for the bundled models from public-domain Debian packages.

Sources (licences checked in /usr/share/doc/<package>/copyright):
  - bible-kjv-text (read through the `bible` program of package bible-kjv): King James Version, 1611;
    "the copyright ... is expired". Public domain.
  - dict-devil: Ambrose Bierce, The Devil's Dictionary (1911): "A Public Domain Text, Copyright Expired".
  - dict-jargon: The Jargon File 4.4.7: "The Jargon File is in the public domain".
Deliberately left out, because the trained weights are a derived work and should stay unencumbered:
  - dict-gcide: GPL-2+ (the collection, although much of it is Webster's 1913).
  - fortunes / fortunes-min: BSD licence covers the program; the quotations are by many living or
    recent authors with no stated licence.

Output (not committed, regenerate with this script): tools/data/train.txt, tools/data/valid.txt
(documents separated by a blank line, paragraphs by a newline) and tools/data/sources.json.

Usage: /usr/bin/python3 tools/corpus.py [--out tools/data] [--seed 1234] [--valid-fraction 0.02]
"""

import argparse
import base64
import gzip
import hashlib
import json
import re
import subprocess
import unicodedata
from pathlib import Path

SOURCES = {
    "kjv": {
        "package": "bible-kjv-text (via bible-kjv)",
        "title": "The Holy Bible, King James Version (1611)",
        "licence": "public domain (copyright expired; /usr/share/doc/bible-kjv-text/copyright)",
    },
    "devil": {
        "package": "dict-devil",
        "title": "Ambrose Bierce, The Devil's Dictionary (1911)",
        "licence": "public domain (copyright expired; /usr/share/doc/dict-devil/copyright)",
        "dict": "/usr/share/dictd/devil",
    },
    "jargon": {
        "package": "dict-jargon",
        "title": "The Jargon File 4.4.7 (Eric S. Raymond et al.)",
        "licence": "public domain (dedicated; /usr/share/doc/dict-jargon/copyright)",
        "dict": "/usr/share/dictd/jargon",
    },
}

# dictd's index encodes offsets and lengths in base64 digits, most significant first.
B64_DIGITS = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}

# Typographic quotes in the Jargon File would otherwise split the tokenizer's vocabulary between two
# spellings of the same text; the other sources are plain ASCII.
PUNCTUATION = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def b64_number(digits: str) -> int:
    value = 0
    for c in digits:
        value = value * 64 + B64_DIGITS[c]
    return value


def normalise_paragraph(lines: list[str]) -> str:
    """Join wrapped lines into one, re-joining words hyphenated at a line break."""
    text = ""
    for line in (l.strip() for l in lines):
        if not line:
            continue
        if text.endswith("-") and line[:1].islower():
            text += line
        else:
            text += (" " if text else "") + line
    return re.sub(r"\s+", " ", text).strip()


def paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", text)
    return [p for p in (normalise_paragraph(b.split("\n")) for b in blocks) if p]


def kjv_documents() -> list[str]:
    """One document per chapter; verse numbers dropped, verses joined as running prose."""
    out = subprocess.run(["bible", "gen1:1-rev22:21"], capture_output=True, text=True, check=True).stdout
    chapters, verses, verse = [], [], []
    for line in out.split("\n"):
        start = re.match(r"^\s+\d+ (.*)$", line)
        if start or not line.strip() or re.match(r"^\S.* \d+$", line):
            if verse:
                verses.append(normalise_paragraph(verse))
                verse = []
        if start:
            verse = [start.group(1)]
        elif re.match(r"^\S.* \d+$", line):  # chapter heading, e.g. "Genesis 1"
            if verses:
                chapters.append(" ".join(verses))
                verses = []
        elif line.strip():
            verse.append(line)
    if verse:
        verses.append(normalise_paragraph(verse))
    if verses:
        chapters.append(" ".join(verses))
    return chapters


def clean_dict_entry(raw: str) -> str:
    """Strip dictd/Jargon markup: {cross references}, _italics_, pronunciation lines."""
    text = raw.translate(PUNCTUATION)
    text = re.sub(r"\{\s*([^{}]*?)\s*\}", lambda m: re.sub(r"\s+", " ", m.group(1)), text)
    text = re.sub(r"(?<![A-Za-z0-9])_([^_]+)_(?![A-Za-z0-9])", r"\1", text)
    paras = [p for p in paragraphs(text) if not re.match(r"^/[^/]*/", p)]
    return "\n".join(paras)


def dict_documents(base: str) -> list[str]:
    data = gzip.open(base + ".dict.dz").read()
    seen, docs = set(), []
    for line in Path(base + ".index").read_text(encoding="utf-8").splitlines():
        word, offset, length = line.split("\t")
        if word.startswith("00database") or offset in seen:
            continue
        seen.add(offset)
        start = b64_number(offset)
        entry = data[start : start + b64_number(length)].decode("utf-8")
        doc = clean_dict_entry(unicodedata.normalize("NFC", entry))
        if doc:
            docs.append(doc)
    return docs


def split(docs: list[str], seed: int, valid_fraction: float) -> tuple[list[str], list[str]]:
    """Deterministic shuffle by hashing (seed, document); the last fraction becomes validation."""
    keyed = sorted(docs, key=lambda d: hashlib.sha256(f"{seed}:{d}".encode()).digest())
    n_valid = max(1, round(len(keyed) * valid_fraction))
    return keyed[n_valid:], keyed[:n_valid]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="tools/data")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--valid-fraction", type=float, default=0.02)
    args = ap.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    docs, summary = [], {}
    for name, info in SOURCES.items():
        source_docs = kjv_documents() if name == "kjv" else dict_documents(info["dict"])
        docs += source_docs
        chars = sum(len(d) for d in source_docs)
        summary[name] = {k: v for k, v in info.items() if k != "dict"} | {"documents": len(source_docs), "chars": chars}
        print(f"{name}: {len(source_docs)} documents, {chars} characters")

    train, valid = split(docs, args.seed, args.valid_fraction)
    (out / "train.txt").write_text("\n\n".join(train) + "\n", encoding="utf-8")
    (out / "valid.txt").write_text("\n\n".join(valid) + "\n", encoding="utf-8")
    summary["split"] = {"seed": args.seed, "train_documents": len(train), "valid_documents": len(valid),
                        "train_chars": sum(map(len, train)), "valid_chars": sum(map(len, valid))}
    (out / "sources.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["split"]))


if __name__ == "__main__":
    main()
