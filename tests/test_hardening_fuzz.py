"""Hardening, plan section F: random essays through the whole pipeline.

Hypothesis writes an essay (random front-matter values: unicode, control characters, HTML, URLs
with odd schemes, wrong types; random Markdown assembled from hostile fragments; sometimes random
bytes as the whole file) into a real project and runs `build`. Whatever it writes:
- the build exits 0 or 1, never with an exception, and every error line is located;
- nothing is written outside the output, its staging folder and the build cache;
- a successful build has no script sink (tests/helpers/sinks.py);
- each build finishes within the per-file budget.

The quick run is part of the suite. A longer one:

    ROUNDTABLE_FUZZ_EXAMPLES=5000 pytest tests/test_hardening_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.hostile import ESSAY, build, known_scripts, new_project, outside
from helpers.sinks import site_sinks
from helpers.site import LOCATED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("ROUNDTABLE_FUZZ_EXAMPLES", "40"))
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in range(10**9) %}",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript&#58;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "../../canary/pwned",
    "\u2028\u2029<!--",
    "\x00\x01\x1b[31m\x7f",
    "\ufeff\u202e\u200b",
    "e\u0301\u0327 🌎 عربي",
]
URLS = [
    *(p for p in PAYLOADS if ":" in p or "/" in p),
    "https://example.org/x",
    "mailto:a@b.c",
    "other.md",
    "../images/pic.png",
    "#frag",
    "//evil.example/",
    "tel:123",
    "  javascript:x",
]
MARKDOWN = [
    "# ",
    "## ",
    "> ",
    "- ",
    "1. ",
    "```",
    '```js" onmouseover="alert(1)\n',
    "    ",
    "*",
    "_",
    "**",
    "`",
    "[",
    "]",
    "(",
    ")",
    "![",
    "<",
    ">",
    "|",
    "---",
    "[^1]",
    "[^1]: ",
    "\n",
    "\n\n",
    "\\",
    "&amp;",
    "&#0;",
]

text = st.text(max_size=40) | st.sampled_from(PAYLOADS)
links = st.builds(
    lambda label, url, image: f"{'!' if image else ''}[{label}]({url})",
    text,
    st.sampled_from(URLS),
    st.booleans(),
)
bodies = st.lists(text | links | st.sampled_from(MARKDOWN), max_size=30).map("".join)
values: st.SearchStrategy[Any] = st.recursive(
    text | st.integers() | st.booleans() | st.none() | st.dates() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
FIELDS = ["title", "author", "roundtable", "affiliation", "bio", "subtitle", "date", "order"]
FIELDS += ["summary", "disclaimer", "image", "tags", "slug", "draft", "extra", "layout"]
front_matter = st.dictionaries(
    st.sampled_from(FIELDS) | text,
    values | st.sampled_from(URLS) | st.sampled_from(["alpha", "beta"]),
    max_size=8,
)
images = st.fixed_dictionaries(
    {"src": st.sampled_from([*URLS, "images/pic.png"]), "alt": text}, optional={"caption": text}
)


@st.composite
def essay_files(draw: st.DrawFn) -> bytes:
    """Return the bytes of a random essay file: mostly valid YAML, sometimes anything at all."""
    kind = draw(st.sampled_from(["fields", "fields", "fields", "raw-yaml", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    body = draw(bodies)
    if kind == "raw-yaml":
        return f"---\n{draw(text)}: {draw(text)}\n---\n{body}".encode("utf-8", "surrogatepass")
    fields = {**ESSAY, **draw(front_matter)}
    if draw(st.booleans()):
        fields["image"] = draw(images)
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    return f"---\n{dumped}---\n{body}".encode("utf-8", "surrogatepass")


SUMMARY = re.compile(r"^(\d+ errors?\.|Build failed \(.*\)\.)$")
"""The lines of stderr besides the located errors."""


def unexpected_lines(err: str) -> list[str]:
    """Return the stderr lines that are neither `path:line: message` nor a summary."""
    return [
        line for line in err.splitlines() if not LOCATED.match(line) and not SUMMARY.match(line)
    ]


def test_f64_random_essays_never_crash_leak_or_run_script(tmp_path: Path) -> None:
    """F64: the invariants above, for random essays (seed corpus: the A1–A25 payloads)."""
    project = new_project(tmp_path / "proj")
    canary = tmp_path / "canary"
    canary.mkdir()
    essay = project / "content/essays/fuzz.md"
    scripts = set(known_scripts())
    allowed = ("proj/site", "proj/.roundtable-cache", "proj/content/essays/fuzz.md")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=essay_files())
    def one_essay(data: bytes) -> None:
        before = outside(tmp_path, *allowed)
        essay.write_bytes(data)
        run = build(project)
        assert run.status in (0, 1), run.err
        assert "Traceback" not in run.err
        assert unexpected_lines(run.err) == [], run.err
        assert outside(tmp_path, *allowed) == before
        assert list(canary.iterdir()) == []
        assert not [p for p in project.iterdir() if p.name.startswith("site.")]
        if run.status == 0:
            assert site_sinks(project / "site", scripts) == []

    one_essay()


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: a\x01b\nauthor: A\nroundtable: alpha\n---\n",
        b"---\ntitle: T\nauthor: A\nroundtable: alpha\n---\n\x00\x01 body",
        b"\xff\xfe\x00",
        b"---\n" + string.printable.encode() + b"\n---\n",
    ],
)
def test_f64_seeds_found_by_the_fuzzer_are_located_errors_or_builds(
    tmp_path: Path, data: bytes
) -> None:
    """F64: inputs that once escaped as exceptions (control characters in YAML: ReaderError)."""
    project = new_project(tmp_path / "proj")
    (project / "content/essays/seed.md").write_bytes(data)
    run = build(project)
    assert run.status in (0, 1) and "Traceback" not in run.err
    assert unexpected_lines(run.err) == [], run.err
