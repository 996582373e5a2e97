"""Write a synthetic roundtable corpus in our content format, seeded so every run is the same.

Each essay is about 1,300 words: headings, lists, links, emphasis, 2–4 footnotes and accented
author names; one roundtable per 20 essays unless told otherwise. Search is on, as in
the default configuration.

    python bench/corpus.py 1000 /tmp/corpus-1000
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

WORDS = [
    "security",
    "cooperation",
    "border",
    "policy",
    "migration",
    "trafficking",
    "fentanyl",
    "precursor",
    "extradition",
    "institutions",
    "trust",
    "enforcement",
    "financial",
    "intelligence",
    "ports",
    "customs",
    "courts",
    "prosecutors",
    "municipal",
    "police",
    "reform",
    "accountability",
    "bilateral",
    "dialogue",
    "corridor",
    "remittances",
    "asylum",
    "capacity",
    "training",
    "evidence",
    "oversight",
    "sanctions",
    "cartels",
    "networks",
    "violence",
    "prevention",
    "health",
    "communities",
    "investment",
    "infrastructure",
    "data",
    "transparency",
    "legislation",
    "treaty",
    "agencies",
]
FIRST = [
    "Ana",
    "José",
    "María",
    "Zoë",
    "Łukasz",
    "Renée",
    "Andrés",
    "Søren",
    "Chloé",
    "Nuño",
    "Inés",
    "Björn",
]
LAST = [
    "Peña",
    "Núñez",
    "García",
    "Müller",
    "Ibáñez",
    "Dvořák",
    "Ødegaard",
    "López",
    "Chávez",
    "Çelik",
]
ESSAYS_PER_ROUNDTABLE = 20


def sentence(rng: random.Random, words: int) -> str:
    """Return a sentence of random words, capitalised, with a full stop."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, essay: int, total: int, essays: str = "") -> str:
    """Return a paragraph of about 100 words with emphasis and a link (to `essays` + file)."""
    parts = [sentence(rng, rng.randint(12, 20)) for _ in range(6)]
    parts[1] = f"*{parts[1]}*"
    target = f"{essays}essay-{rng.randrange(total):05d}.md"
    parts[3] = f"**{parts[3][:-1]}**, and [related work]({target})."
    if rng.random() < 0.3:
        parts[4] += " See [the source](https://example.org/report)."
    return " ".join(parts)


def body(rng: random.Random, essay: int, total: int) -> str:
    """Return an essay body of about 1,300 words."""
    notes = rng.randint(2, 4)
    blocks = []
    for section in range(4):
        blocks.append(f"## {sentence(rng, 4)[:-1]}")
        for _ in range(3):
            blocks.append(paragraph(rng, essay, total))
        if section == 1:
            blocks.append(
                "\n".join(
                    f"- **{rng.choice(WORDS).title()}:** {sentence(rng, 10)}" for _ in range(4)
                )
            )
    for n in range(1, notes + 1):
        blocks[2 + n] += f"[^{n}]"
    blocks += [f"[^{n}]: {sentence(rng, 12)}" for n in range(1, notes + 1)]
    return "\n\n".join(blocks) + "\n"


def day(n: int) -> str:
    """Return a date in 2024 that varies with n."""
    return f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"


def name(rng: random.Random) -> str:
    """Return an accented author name."""
    return f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"


def write_corpus(
    count: int, root: Path, seed: int = 1, search: bool = True, roundtables: int | None = None
) -> None:
    """Write site.yml, `roundtables` roundtables (by default count // 20) and `count` essays
    under root/content, the essays shared out among the roundtables in order."""
    rng = random.Random(seed)
    roundtables = roundtables or max(1, count // ESSAYS_PER_ROUNDTABLE)
    per_roundtable = -(-count // roundtables)  # rounded up, so no essay is left without one
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "roundtables").mkdir(parents=True)
    (content / "essays").mkdir()
    (content / "site.yml").write_text(
        "title: Bench Forum\nbase_url: https://example.org/bench/\n"
        # Written either way, so the corpus says which it measures (search is on by default).
        f"search: {'true' if search else 'false'}\n",
        encoding="utf-8",
    )
    for r in range(roundtables):
        (content / "roundtables" / f"rt-{r:04d}.md").write_text(
            f"---\ntitle: Roundtable {r}\ndate: {day(r)}\neditors: [{name(rng)}]\n---\n"
            + paragraph(rng, 0, count, essays="../essays/")
            + "\n",
            encoding="utf-8",
        )
    for e in range(count):
        front = (
            f"---\ntitle: {sentence(rng, 6)[:-1]}\nauthor: {name(rng)}\n"
            f"affiliation: Institute {e % 50}\n"
            f"bio: A sample contributor.\nroundtable: rt-{e // per_roundtable:04d}\n"
            f"date: {day(e)}\norder: {e % per_roundtable + 1}\n"
            f"tags: [{rng.choice(WORDS).title()}, {rng.choice(WORDS).title()}]\n---\n"
        )
        (content / "essays" / f"essay-{e:05d}.md").write_text(
            front + body(rng, e, count), encoding="utf-8"
        )


def main() -> None:
    """Parse arguments and write the corpus."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("root", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--roundtables", type=int, help="how many (default: one per 20 essays)")
    parser.add_argument("--no-search", dest="search", action="store_false")
    args = parser.parse_args()
    write_corpus(args.count, args.root, args.seed, args.search, args.roundtables)


if __name__ == "__main__":
    main()
