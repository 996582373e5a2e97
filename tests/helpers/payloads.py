"""Hostile content as plain values, for the tests and for bench/pathological.py (which times
them): no imports, so the benchmark loads nothing of the tests' tools."""

ALIAS_BOMB = "\n".join(
    ["a: &a [x,x,x,x,x,x,x,x,x]"]
    + [
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)
"""Billion laughs: YAML of nine levels of nine aliases."""

# Bodies that have made Markdown parsers take quadratic time or worse (A23). Each is either
# refused by the limits in content/frontmatter.py, with a located error, or rendered;
# bench/pathological.py times those that render against the per-file budget.
PATHOLOGICAL = {
    "quotes-100k": ">" * 100_000,
    "brackets-50k": "[" * 50_000,
    "stars-70k": "*" * 70_000,
    "linkify-stars": "http://a/" + "*" * 70_000 + "a",
    "oss-fuzz-1": ">```\n>",
    "oss-fuzz-2": ">-\n>\n>",
    "images-20k": "![" * 20_000,
    "apostrophes": "a'" * 60_000,
    "emphasis-mix": "*_" * 150_000,
    "lines-30k": "- a\n" * 30_000,
    "nested-lists": "\n".join("  " * i + "- x" for i in range(2_000)),
    "prose-20mb": "Lorem ipsum *dolor* sit [amet](https://x.org).\n\n" * 420_000,
}
