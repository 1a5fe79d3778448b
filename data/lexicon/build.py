#!/usr/bin/env python3
"""Extracts the raw inputs of clearance's lexicon from two published data sets.

Writes, into the directory given as the only argument:

  words.tsv   every word (as wordfreq spells it, not yet normalized) whose Zipf frequency
              reaches MIN_CENTIZIPF in at least one of LANGUAGES, with the highest Zipf
              frequency over those languages in hundredths ("word<TAB>centizipf").
  names.csv   the `nicknames` package's names.csv, unchanged (name1,relationship,name2).

Normalization (clearance::engine::normalize::tokens), the merge of words that normalize alike, the
local additions and removals of given names, and the compact output files are the job of the
Rust step that follows (examples/lexicon_build.rs), so that the words are normalized by the
very code that normalizes names at screening time. The full command is in README.md.

Requires the pinned packages of requirements.txt.
"""

import sys
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import wordfreq

# Languages of the lists and of the customer books screened against them. Cyrillic, Greek and
# accented Latin words are transliterated by the Rust step exactly as names are.
LANGUAGES = ["en", "es", "fr", "de", "pt", "it", "nl", "tr", "ru"]

# Zipf 3.0: once per million words. Rarer words are left out (see README.md on size).
MIN_CENTIZIPF = 300

PINNED = {"wordfreq": "3.1.1", "nicknames": "1.0.1"}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTPUT_DIR")
    for package, pinned in PINNED.items():
        if version(package) != pinned:
            sys.exit(f"{package} {version(package)} is installed; this table is built from {pinned}")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)

    best: dict[str, int] = {}
    large = wordfreq.available_languages("large")
    for lang in LANGUAGES:
        # The 'large' lists go down to Zipf 1.0; Turkish has only the 'small' one (down to
        # Zipf 3.0), which is enough above MIN_CENTIZIPF.
        wordlist = "large" if lang in large else "small"
        # Bucket i holds the words at -i centibels, i.e. at Zipf 9 - i/100.
        for index, bucket in enumerate(wordfreq.get_frequency_list(lang, wordlist)):
            centizipf = 900 - index
            if centizipf < MIN_CENTIZIPF:
                break
            for word in bucket:
                if centizipf > best.get(word, -1):
                    best[word] = centizipf

    with open(out / "words.tsv", "w", encoding="utf-8", newline="\n") as f:
        for word in sorted(best):
            if "\t" in word or "\n" in word:
                continue
            f.write(f"{word}\t{best[word]}\n")

    names = files("nicknames").joinpath("names.csv").read_text(encoding="utf-8")
    (out / "names.csv").write_text(names, encoding="utf-8", newline="\n")
    print(f"{len(best)} raw words from {', '.join(LANGUAGES)}; names.csv copied to {out}")


if __name__ == "__main__":
    main()
