"""Images: resized copies in WebP and the original format, srcset/sizes, made once."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from bs4 import BeautifulSoup
from helpers.hostile import build, new_project, write_essay
from helpers.site import FIXTURES, copy_project, page, run_cli
from PIL import Image

from roundtable.commands.cli import build_options
from roundtable.model import Image as ModelImage
from roundtable.pipeline import build_site
from roundtable.render.images import plan_variants


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The minimal fixture with a large photo as the hero of the first essay."""
    proj = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    Image.new("RGB", (2000, 1000), (30, 60, 90)).save(proj / "content/images/wide.jpg", quality=85)
    essay = proj / "content/essays/first.md"
    text = essay.read_text(encoding="utf-8")
    essay.write_text(
        text.replace(
            "order: 1\n", "order: 1\nimage:\n  src: images/wide.jpg\n  alt: A wide photo\n"
        ),
        encoding="utf-8",
    )
    return proj


def test_variants_are_planned_below_the_original_width() -> None:
    variants = plan_variants(ModelImage("images/a.jpg", "x", width=1000, height=500))
    assert [(v.path, v.width) for v in variants] == [
        ("images/a.480w.jpg", 480),
        ("images/a.960w.jpg", 960),
        ("images/a.480w.webp", 480),
        ("images/a.960w.webp", 960),
        ("images/a.1000w.webp", 1000),
    ]
    assert plan_variants(ModelImage("images/a.gif", "x", width=1000, height=500)) == ()


def test_hero_gets_srcset_sizes_and_webp(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["build"], project, capsys).status == 0
    site = project / "site"
    picture = page(site, "essays/first/").find("figure").find("picture")
    source, img = picture.find("source"), picture.find("img")
    assert source["type"] == "image/webp"
    assert source["srcset"].split(", ")[0] == "../../images/wide.480w.webp 480w"
    assert img["srcset"].endswith("../../images/wide.jpg 2000w")
    assert (img["width"], img["height"], img["sizes"]) == (
        "2000",
        "1000",
        "(min-width: 64em) 60rem, 100vw",
    )
    for candidate in [*source["srcset"].split(", "), *img["srcset"].split(", ")]:
        url, width = candidate.split(" ")
        with Image.open(site / "essays/first" / url) as made:
            assert made.width == int(width.rstrip("w"))
    with Image.open(site / "images/wide.960w.webp") as webp:
        assert webp.format == "WEBP" and webp.size == (960, 480)


def test_second_build_does_no_image_work(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = build_options(_args(project), project / "site")
    started = time.perf_counter()
    first = build_site(options)
    cold = time.perf_counter() - started
    (project / "content/essays/third.md").write_text(
        (project / "content/essays/third.md").read_text(encoding="utf-8") + "\nMore.\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    second = build_site(options)
    warm = time.perf_counter() - started
    assert first.images_made == 8 and second.images_made == 0  # 7 of wide.jpg, 1 of pic.png
    print(f"cold build with 8 resized images: {cold:.2f} s; next build: {warm:.2f} s")


def _args(project: Path) -> object:
    """Return parsed `build` arguments for a project."""
    import argparse

    return argparse.Namespace(
        content=str(project / "content"),
        drafts=False,
        base_url=None,
        command="build",
        no_cache=False,
    )


def test_pictures_in_the_text_get_sizes_srcset_and_webp(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    essay = project / "content/essays/third.md"
    essay.write_text(
        essay.read_text(encoding="utf-8") + "\n![A wide photo](../images/wide.jpg)\n",
        encoding="utf-8",
    )
    assert run_cli(["build"], project, capsys).status == 0
    picture = page(project / "site", "essays/third/").find("img", alt="A wide photo").parent
    assert picture.name == "picture"
    img, source = picture.find("img"), picture.find("source")
    assert (img["width"], img["height"], img["loading"]) == ("2000", "1000", "lazy")
    assert img["srcset"].split(", ")[0] == "../../images/wide.480w.jpg 480w"
    assert (
        source["type"] == "image/webp" and "../../images/wide.2000w.webp 2000w" in source["srcset"]
    )
    for candidate in [*img["srcset"].split(", "), *source["srcset"].split(", ")]:
        assert (project / "site/essays/third" / candidate.split(" ")[0]).resolve().is_file()


ODD_NAMES = ("café.png", "my photo.png", "100%.png", "a:b.png")
"""File names a URL must percent-encode: accented, a space, a percent sign, a colon (which
would start a scheme)."""


def test_files_with_odd_names_are_linked_by_working_urls(tmp_path: Path) -> None:
    """Every picture and link to a file named with an accent, space, '%' or ':' leads, once
    percent-decoded as a browser does, to the published file (they used to stay unresolved,
    broken links; spaces broke srcset)."""
    project = new_project(tmp_path / "proj")
    for name in ODD_NAMES:
        (project / "content/images" / name).write_bytes(
            (project / "content/images/pic.png").read_bytes()
        )
    pictures = " ".join(f"![{n}](<../images/{n.replace('%', '%25')}>)" for n in ODD_NAMES)
    files = " ".join(f"[{n}](<../images/{n.replace('%', '%25')}>)" for n in ODD_NAMES)
    write_essay(
        project,
        "odd.md",
        body=f"{pictures}\n\n{files}\n",
        image={"src": "images/my photo.png", "alt": "A view"},
    )
    assert build(project).status == 0
    checked = build(project, command="check")
    assert "odd.md" not in checked.err, checked.err
    site = project / "site"
    html = BeautifulSoup((site / "essays/odd/index.html").read_text(), "html.parser")
    main = html.select_one("main")
    assert main is not None
    urls = [str(a["href"]) for a in main.select("a[href*='images/']")]
    urls += [str(img["src"]) for img in main.select("img")]
    for tag in main.select("img[srcset], source[srcset]"):
        urls += [part.split()[0] for part in str(tag["srcset"]).split(",")]
    page_url = "https://example.org/essays/odd/index.html"
    targets = {unquote(urljoin(page_url, url)).removeprefix("https://example.org/") for url in urls}
    assert all(" " not in url and ":" not in url for url in urls), urls
    assert {f"images/{name}" for name in ODD_NAMES} <= targets
    missing = [target for target in targets if not (site / target).is_file()]
    assert missing == [], missing
