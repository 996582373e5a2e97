"""Hardening, issue 24 class 5: hostile pictures in content/ (huge headers, damaged, not
pictures at all) are located errors where a page shows them, and are copied as they are,
never decoded, where none does. Ends with a fuzz test of random picture headers through
`check`.

    ROUNDTABLE_FUZZ_EXAMPLES=500 pytest tests/test_hardening_pictures.py -p no:cacheprovider
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.hostile import build, new_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

EXAMPLES = int(os.environ.get("ROUNDTABLE_FUZZ_EXAMPLES", "25"))


def _chunk(kind: bytes, data: bytes) -> bytes:
    """Return one PNG chunk with its checksum."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int, depth: int = 8, colour: int = 2) -> bytes:
    """Return a PNG that claims a size, with no pixels behind it."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b""))
        + _chunk(b"IEND", b"")
    )


def real_picture(fmt: str, size: tuple[int, int] = (1200, 800)) -> bytes:
    """Return a real picture, wide enough to be resized."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt)
    return out.getvalue()


def jpeg_header(width: int, height: int) -> bytes:
    """Return a small real JPEG whose frame header claims another size."""
    data = bytearray(real_picture("JPEG", (16, 16)))
    start = data.index(b"\xff\xc0")
    data[start + 5 : start + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_header(width: int, height: int) -> bytes:
    """Return a GIF screen descriptor claiming a size, with one empty frame."""
    frame = b",\x00\x00\x00\x00" + struct.pack("<HH", width, height) + b"\x00\x02\x02D\x01\x00"
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + frame + b";"


def webp_header(width: int, height: int) -> bytes:
    """Return an extended WebP header (VP8X) claiming a size."""
    vp8x = (
        b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


def cut(data: bytes) -> bytes:
    """Return the first two thirds of a file, as a broken upload leaves it."""
    return data[: len(data) * 2 // 3]


HOSTILE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "png-20000x20000": ("png", lambda: png_header(20_000, 20_000)),
    "png-9000x9000": ("png", lambda: png_header(9_000, 9_000)),
    "jpeg-20000x20000": ("jpg", lambda: jpeg_header(20_000, 20_000)),
    "gif-30000x30000": ("gif", lambda: gif_header(30_000, 30_000)),
    "webp-16000x16000": ("webp", lambda: webp_header(16_000, 16_000)),
    "truncated-jpeg": ("jpg", lambda: cut(real_picture("JPEG"))),
    "truncated-png": ("png", lambda: cut(real_picture("PNG"))),
    "truncated-webp": ("webp", lambda: cut(real_picture("WEBP"))),
    "text-as-png": ("png", lambda: b"I am not a picture, only a note.\n"),
    "zero-bytes": ("jpg", lambda: b""),
}
"""Each kind fails on the old code: a traceback (the huge headers), `site: None` (truncated),
or a silent success with a broken picture on the page."""


def add_picture(project: Path, kind: str) -> tuple[str, bytes]:
    """Write a hostile picture as content/images/hostile.<ext>; return its name and bytes."""
    suffix, make = HOSTILE[kind]
    data = make()
    name = f"hostile.{suffix}"
    (project / "content/images" / name).write_bytes(data)
    return name, data


def show_in_body(project: Path, name: str) -> int:
    """Show a picture at the end of the first essay's body; return that file line."""
    essay = project / "content/essays/first.md"
    text = (
        essay.read_text(encoding="utf-8")
        + f"\nA picture:\n\n![A hostile picture](../images/{name})\n"
    )
    essay.write_text(text, encoding="utf-8")
    return text.count("\n")


def show_as_hero(project: Path, name: str) -> int:
    """Make a picture the hero image of the pictured essay; return the line of its `src:`."""
    essay = project / "content/essays/pictured.md"
    text = essay.read_text(encoding="utf-8").replace("src: images/pic.png", f"src: images/{name}")
    text = text.replace("![inline picture](../images/pic.png)", "No picture in the text.")
    essay.write_text(text, encoding="utf-8")
    return text.splitlines().index(f"  src: images/{name}") + 1


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_unused_hostile_pictures_are_copied_as_they_are(tmp_path: Path, kind: str) -> None:
    """A picture no page shows is published byte for byte, and never decoded."""
    project = new_project(tmp_path / "proj")
    name, data = add_picture(project, kind)
    for command in ("build", "check"):
        run = build(project, command=command)
        assert run.status == 0 and "Traceback" not in run.err, run.err
    assert (project / "site/images" / name).read_bytes() == data


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_picture_in_a_body_is_located_at_its_line(tmp_path: Path, kind: str) -> None:
    """One error, at the body line that shows the picture, naming it; the site is untouched."""
    project = new_project(tmp_path / "proj")
    assert build(project).status == 0
    before = (project / "site/index.html").read_bytes()
    name, _ = add_picture(project, kind)
    line = show_in_body(project, name)
    for command in ("build", "check"):
        run = build(project, command=command)
        assert run.status == 1 and "Traceback" not in run.err, run.err
        assert run.error_lines == [
            f"content/essays/first.md:{line}: picture '../images/{name}': "
            + run.error_lines[0].split(f"'../images/{name}': ", 1)[-1]
        ], run.err
        assert len(run.error_lines) == 1
    assert (project / "site/index.html").read_bytes() == before


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_hero_image_is_located_at_its_front_matter_line(tmp_path: Path, kind: str) -> None:
    """As a hero image, the error is at the `src:` line of the front matter."""
    project = new_project(tmp_path / "proj")
    name, _ = add_picture(project, kind)
    line = show_as_hero(project, name)
    run = build(project)
    assert run.status == 1 and "Traceback" not in run.err, run.err
    assert len(run.error_lines) == 1, run.err
    assert run.error_lines[0].startswith(
        f"content/essays/pictured.md:{line}: image.src: 'images/{name}': "
    ), run.err


def test_a_picture_no_page_shows_is_never_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real picture, wide enough for resized copies, gets none while no page shows it."""
    project = new_project(tmp_path / "proj")
    (project / "content/images/spare.png").write_bytes(real_picture("PNG"))
    assert build(project).status == 0
    assert sorted(p.name for p in (project / "site/images").glob("spare*")) == ["spare.png"]
    show_in_body(project, "spare.png")
    assert build(project).status == 0
    assert "spare.480w.png" in {p.name for p in (project / "site/images").iterdir()}


@pytest.mark.parametrize(
    "fmt, size, copy",
    [
        ("PNG", (1000, 1), "strip.480w.webp"),
        ("JPEG", (2000, 1), "strip.480w.webp"),
        ("WEBP", (990, 1), "strip.480w.webp"),
        ("JPEG", (1, 16384), None),
        ("JPEG", (16384, 1), "strip.1600w.webp"),
        ("PNG", (600, 20000), "strip.480w.png"),
    ],
)
def test_a_thin_strip_of_a_picture_is_resized_not_crashed(
    tmp_path: Path, fmt: str, size: tuple[int, int], copy: str | None
) -> None:
    """Found by the fuzz test (ValueError): a copy 480 wide of a 1000×1 picture was 0 high, and
    a WebP copy of a picture taller than 16,383 pixels cannot be made (it gets none)."""
    project = new_project(tmp_path / "proj")
    suffix = {"JPEG": "jpg"}.get(fmt, fmt.lower())
    (project / f"content/images/strip.{suffix}").write_bytes(real_picture(fmt, size))
    show_in_body(project, f"strip.{suffix}")
    run = build(project)
    assert run.status == 0, run.err
    made = {p.name for p in (project / "site/images").glob("strip.*")}
    assert copy in made if copy else made == {f"strip.{suffix}"}, made


# --- fuzz: random picture headers through `check` ---------------------------------------------

SIZES = st.integers(min_value=0, max_value=2**31 - 1) | st.sampled_from([1, 7000, 20_000, 65_535])


@st.composite
def picture_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """Return a suffix and the bytes of a random picture: a header claiming any size and
    format, cut anywhere, with random bytes after it, or random bytes with a picture's name."""
    width, height = draw(SIZES), draw(SIZES)
    kind = draw(st.sampled_from(["png", "jpg", "gif", "webp", "real", "noise"]))
    if kind == "png":
        depth, colour = (
            draw(st.sampled_from([1, 2, 4, 8, 16])),
            draw(st.sampled_from([0, 2, 3, 4, 6])),
        )
        suffix, data = "png", png_header(width, height, depth, colour)
    elif kind == "jpg":
        suffix, data = "jpg", jpeg_header(max(width % 65_536, 1), max(height % 65_536, 1))
    elif kind == "gif":
        suffix, data = "gif", gif_header(width % 65_536, height % 65_536)
    elif kind == "webp":
        suffix, data = "webp", webp_header(max(width % 2**24, 1), max(height % 2**24, 1))
    elif kind == "real":
        fmt = draw(st.sampled_from(["PNG", "JPEG", "WEBP", "GIF"]))
        suffix = {"JPEG": "jpg"}.get(fmt, fmt.lower())
        data = real_picture(fmt, (1 + width % 1000, 1 + height % 1000))
    else:
        suffix, data = draw(st.sampled_from(["png", "jpg", "webp", "gif"])), b""
    data = (
        data[: draw(st.integers(min_value=0, max_value=len(data)))] if draw(st.booleans()) else data
    )
    return suffix, data + draw(st.binary(max_size=64))


def test_fuzz_random_picture_headers_give_one_located_line(tmp_path: Path) -> None:
    """Whatever a picture shown in a body holds, `check` exits 0 or 1 with no traceback and,
    failing, with one located line at the body line that shows it."""
    project = new_project(tmp_path / "proj")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(picture=picture_files())
    def one_picture(picture: tuple[str, bytes]) -> None:
        suffix, data = picture
        for old in (project / "content/images").glob("fuzz.*"):
            old.unlink()
        (project / f"content/images/fuzz.{suffix}").write_bytes(data)
        essay = project / "content/essays/fuzz.md"
        essay.write_text(
            "---\ntitle: Fuzz\nauthor: A. Writer\nroundtable: alpha\n---\n"
            f"Text.\n\n![A random picture](../images/fuzz.{suffix})\n",
            encoding="utf-8",
        )
        run = build(project, command="check")
        assert run.status in (0, 1) and "Traceback" not in run.err, run.err
        if run.status == 1:
            located = run.error_lines
            assert len(located) == 1, run.err
            assert located[0].startswith(
                f"content/essays/fuzz.md:8: picture '../images/fuzz.{suffix}': "
            ), run.err

    one_picture()


def test_a_truncated_picture_is_refused_once_weasyprint_is_loaded(tmp_path: Path) -> None:
    """Importing WeasyPrint (for PDFs) tells Pillow, for the whole process, to decode pictures
    cut short; a build in that process must still refuse one rather than publish it half grey."""
    import weasyprint  # noqa: F401  (its import is the point)

    project = new_project(tmp_path / "proj")
    name, _ = add_picture(project, "truncated-jpeg")
    line = show_in_body(project, name)
    run = build(project)
    assert run.status == 1, run.err
    assert run.error_lines[0].startswith(f"content/essays/first.md:{line}: picture "), run.err
