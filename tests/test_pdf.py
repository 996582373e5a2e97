"""`build --pdf`: a PDF of every essay and roundtable, linked from their pages, deterministic,
remade only when what it shows changes, and a build that fails on one line where WeasyPrint
cannot run."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdf
import pytest
from helpers.site import FIXTURES, copy_project, page, run_cli, run_subprocess, tree_digest
from PIL import Image


def weasyprint_missing() -> str:
    """Say why WeasyPrint cannot run here, or '' when it can."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return str(exc)
    return ""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bilingual fixture built once with --pdf (printing is slow: once per module)."""
    if weasyprint_missing():
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"WeasyPrint cannot run under CI: {weasyprint_missing()}")
        pytest.skip(f"WeasyPrint cannot run: {weasyprint_missing()}")
    proj = copy_project(FIXTURES / "bilingual", tmp_path_factory.mktemp("pdf") / "proj")
    run = run_subprocess(["build", "--pdf"], proj)
    assert run.status == 0, run.err
    assert run.err == ""
    return proj


def text_of(pdf: Path) -> list[str]:
    """Return the text of each page of a PDF."""
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    return [p.extract_text() for p in reader.pages]


def flat(text: str) -> str:
    """Join a PDF's lines, so a title broken over two lines is found whole."""
    return " ".join(text.split())


def test_roundtable_pdf_has_cover_contents_and_essays_in_order(project: Path) -> None:
    pages = text_of(project / "site/roundtables/alpha/alpha.pdf")
    whole = flat(" ".join(pages))
    assert pages[0].count("Alpha Roundtable") == 1 and "Edited by Ed One" in pages[0]
    assert "CONTENTS" in pages[1]  # set in capitals by the stylesheet
    assert "The alpha introduction." in whole
    first, second = whole.index("The First Essay"), whole.index("The Second Essay")
    assert first < second
    body = whole[whole.index("The alpha introduction.") :]
    assert body.index("The First Essay") < body.index("The Second Essay")
    assert "Ana Pérez García teaches at Universidad Uno." in body  # bios …
    assert body.count("Site disclaimer.") == 2  # … and a disclaimer after every essay


def test_contents_give_the_page_each_essay_starts_on(project: Path) -> None:
    pages = text_of(project / "site/roundtables/alpha/alpha.pdf")
    contents = flat(pages[1])
    for title in ("The First Essay", "The Second Essay"):
        number = int(contents.split(title)[1].strip(" .").split()[0])
        assert title in pages[number - 1], (title, number)


def test_translated_roundtable_pdf_is_in_its_language(project: Path) -> None:
    whole = flat(" ".join(text_of(project / "site/roundtables/alfa/alfa.pdf")))
    assert "Mesa redonda" in whole and "ÍNDICE" in whole
    assert whole.index("El primer ensayo") < whole.index("The Second Essay")
    assert "Descargo de alfa." in whole


def test_essay_pdf_has_the_essay_bios_disclaimer_and_citation(project: Path) -> None:
    whole = flat(" ".join(text_of(project / "site/essays/one/one.pdf")))
    for expected in (
        "The First Essay",
        "The first essay, in English, has a few words.",
        "ABOUT THE AUTHOR",
        "Site disclaimer.",
        "CITE THIS ESSAY",
        "Pérez García, A. (2024, May 1).",
    ):
        assert expected in whole, expected
    assert "https://example.org/forum/essays/one/" in whole.replace(" ", "")  # over two lines


def test_pdf_metadata_comes_from_the_content(project: Path) -> None:
    reader = pypdf.PdfReader(project / "site/essays/uno/uno.pdf")
    assert reader.metadata is not None
    assert reader.metadata.title == "El primer ensayo"
    assert reader.metadata.author == "Ana Pérez García"
    assert reader.metadata["/CreationDate"] == "D:20240502"


def test_pages_link_their_pdfs(project: Path) -> None:
    essay = page(project / "site", "essays/one/").select_one(".pdf-link a")
    assert essay is not None and essay["href"] == "one.pdf"
    roundtable = page(project / "site", "roundtables/alpha/").select_one(".pdf-link a")
    assert roundtable is not None and roundtable["href"] == "alpha.pdf"
    assert "Descargar este ensayo (PDF)" in page(project / "site", "essays/uno/").get_text()


def test_pdfs_are_byte_identical_from_one_build_to_the_next(project: Path, tmp_path: Path) -> None:
    again = copy_project(FIXTURES / "bilingual", tmp_path / "again")
    run = run_subprocess(["build", "--pdf", "--no-cache"], again)
    assert run.status == 0, run.err
    pdfs = {k: v for k, v in tree_digest(project / "site").items() if k.endswith(".pdf")}
    assert len(pdfs) == 8
    assert pdfs == {k: v for k, v in tree_digest(again / "site").items() if k.endswith(".pdf")}


def test_pdfs_are_remade_only_when_what_they_show_changes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = project / "site"
    before = {p.name: p.stat().st_mtime_ns for p in site.rglob("*.pdf")}
    two = project / "content/essays/two.md"
    two.write_text(two.read_text(encoding="utf-8").replace("The second essay.", "Changed."))
    assert run_cli(["build", "--pdf"], project, capsys).status == 0
    after = {p.name: p.stat().st_mtime_ns for p in site.rglob("*.pdf")}
    remade = sorted(name for name in after if after[name] != before[name])
    assert remade == ["alfa.pdf", "alpha.pdf", "two.pdf"]
    assert "Changed." in flat(" ".join(text_of(site / "essays/two/two.pdf")))
    clean = run_cli(["build", "--pdf", "--no-cache", "--output", "clean"], project, capsys)
    assert clean.status == 0
    assert tree_digest(site) == tree_digest(project / "clean")


def test_without_pdf_flag_there_are_no_pdfs_and_no_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = copy_project(FIXTURES / "bilingual", tmp_path / "proj")
    assert run_cli(["build"], proj, capsys).status == 0
    assert list((proj / "site").rglob("*.pdf")) == []
    assert page(proj / "site", "essays/one/").select(".pdf-link a") == []


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            "OSError(\"cannot load library 'libpango-1.0-0': not found\")",
            "error: --pdf: WeasyPrint cannot load its system libraries (cannot load library "
            "'libpango-1.0-0': not found) (install them: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0). site/ is unchanged.",
        ),
        (
            "ImportError(\"No module named 'pydyf'\")",
            "error: --pdf: WeasyPrint cannot be imported (No module named 'pydyf') "
            "(install it: pip install -e '.[pdf]'). site/ is unchanged.",
        ),
    ],
)
def test_without_weasyprint_pdf_fails_on_one_line_and_publishes_nothing(
    tmp_path: Path, failure: str, expected: str
) -> None:
    """Asked for PDFs where WeasyPrint cannot run, the build fails: a site without the PDFs at
    exit 0 (it used to say 'PDFs skipped') would pass a CI job that publishes them."""
    fake = tmp_path / "fake"
    (fake / "weasyprint").mkdir(parents=True)
    (fake / "weasyprint/__init__.py").write_text(f"raise {failure}\n")
    proj = copy_project(FIXTURES / "bilingual", tmp_path / "proj")
    assert run_subprocess(["build"], proj).status == 0
    before = tree_digest(proj / "site")
    essay = proj / "content/essays/one.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nNew words.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    run = run_subprocess(["build", "--pdf"], proj, env=env)
    assert run.status == 1
    assert run.err.splitlines() == [expected]
    assert run.out == ""
    assert tree_digest(proj / "site") == before  # the last good site, untouched


def test_pictures_with_odd_names_are_printed_and_followed(tmp_path: Path) -> None:
    """A picture named with an accent and a space is in the PDF (WeasyPrint asks for it by its
    percent-encoded address), and replacing it prints the PDF again."""
    if weasyprint_missing():
        pytest.skip(f"WeasyPrint cannot run: {weasyprint_missing()}")
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    images = project / "content/images"
    (images / "le café.png").write_bytes((images / "pic.png").read_bytes())
    first = project / "content/essays/first.md"
    first.write_text(
        first.read_text(encoding="utf-8") + "\n![A café](<../images/le café.png>)\n",
        encoding="utf-8",
    )
    assert run_subprocess(["build", "--pdf"], project).status == 0
    pdf = next((project / "site/essays/first").glob("*.pdf"))
    printed = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    assert sum(len(p.images) for p in printed.pages) == 1  # the only picture of the essay
    before = pdf.read_bytes()
    Image.new("RGB", (40, 20), "navy").save(images / "le café.png")
    assert run_subprocess(["build", "--pdf"], project).status == 0
    assert pdf.read_bytes() != before
