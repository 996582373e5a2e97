"""The command line: build, check, new, serve; exit codes and the error report."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from roundtable.errors import BuildFailed, ContentError
from roundtable.pipeline import BuildOptions, BuildResult, build_site
from roundtable.render import TemplateFailed, Theme
from roundtable.write import UnsafeOutput, check_output

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
PACKAGE_DIR = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return its exit status."""
    args = _parser().parse_args(_default_command(list(sys.argv[1:] if argv is None else argv)))
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


def _default_command(argv: list[str]) -> list[str]:
    """Make `roundtable` alone, or with only options, mean `roundtable build`."""
    commands = {"build", "check", "new", "serve", "-h", "--help", "--version"}
    return argv if argv and argv[0] in commands else ["build", *argv]


def _parser() -> argparse.ArgumentParser:
    """Describe the commands and their options."""
    parser = argparse.ArgumentParser(
        prog="roundtable", description="Build a roundtable website from Markdown essays."
    )
    from roundtable import __version__

    parser.add_argument("--version", action="version", version=f"roundtable {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the site (the default command)")
    _content_options(build)
    build.add_argument(
        "--output",
        metavar="DIR",
        help="where to write the site (default: site/ beside the content folder)",
    )
    build.add_argument(
        "--base-url", metavar="URL", help="publish at this URL instead of site.yml's base_url"
    )
    build.set_defaults(run=run_build)
    return parser


def _content_options(command: argparse.ArgumentParser) -> None:
    """Add the options every command that reads content shares."""
    command.add_argument(
        "--content", metavar="DIR", default="content", help="the content folder (default: content/)"
    )
    command.add_argument("--drafts", action="store_true", help="include essays marked draft: true")


def theme_for(content: Path) -> Theme:
    """Return the theme: the site's own templates/ and assets/ beside content/, then the default."""
    default = _default_theme_dir()
    project = content.resolve().parent
    template_dirs = _unique([project / "templates", default / "templates"])
    asset_dirs = _unique([project / "assets", default / "assets"])
    return Theme(tuple(template_dirs), tuple(asset_dirs), Path.cwd().resolve())


def _default_theme_dir() -> Path:
    """Return the folder holding the default theme: in the wheel, or beside the package."""
    installed = PACKAGE_DIR / "_theme"
    return installed if installed.is_dir() else PACKAGE_DIR.parent


def _unique(paths: list[Path]) -> list[Path]:
    """Drop repeated folders, keeping the first, so the theme is not searched twice."""
    seen: list[Path] = []
    for path in paths:
        if path.resolve() not in seen and path.is_dir():
            seen.append(path.resolve())
    return seen


def build_options(args: argparse.Namespace, output: Path | None) -> BuildOptions:
    """Return the options of a build from the command line."""
    content = Path(args.content)
    return BuildOptions(
        content=content,
        content_display=args.content,
        output=output,
        theme=theme_for(content),
        drafts=args.drafts,
        base_url=getattr(args, "base_url", None),
    )


def run_build(args: argparse.Namespace) -> int:
    """Build the site and print a one-line summary, or every error."""
    content = Path(args.content)
    if not content.is_dir():
        return _usage_error(
            f"{args.content}: no such folder (run from your project, or pass --content DIR)"
        )
    output_display = args.output or os.path.join(os.path.dirname(args.content.rstrip("/")), "site")
    output = Path(output_display)
    try:
        check_output(
            output,
            protected=(content, *theme_for(content).template_dirs, *theme_for(content).asset_dirs),
        )
    except UnsafeOutput as exc:
        return _usage_error(str(exc))
    result = _build(build_options(args, output), output_display)
    if result is None:
        return EXIT_CONTENT
    print(_summary(result, output_display))
    return EXIT_OK


def _build(options: BuildOptions, output_display: str) -> BuildResult | None:
    """Run the pipeline, reporting the user's mistakes instead of raising them."""
    try:
        return build_site(options)
    except BuildFailed as exc:
        report(exc.errors)
    except TemplateFailed as exc:
        report([exc.error])
    except OSError as exc:
        print(
            f"{exc.filename or output_display}: {exc.strerror} (the previous site is unchanged)",
            file=sys.stderr,
        )
        return None
    where = f" ({output_display.rstrip('/')}/ is unchanged)" if options.output else ""
    print(f"Build failed{where}.", file=sys.stderr)
    return None


def report(errors: list[ContentError]) -> None:
    """Print every error, one a line, then how many."""
    for error in errors:
        print(error, file=sys.stderr)
    noun = "error" if len(errors) == 1 else "errors"
    print(f"{len(errors)} {noun}.", file=sys.stderr)


def _summary(result: BuildResult, output_display: str) -> str:
    """Return the one-line summary of a successful build."""
    site = result.site
    counts = f"{_plural(len(site.roundtables), 'roundtable')}, {_plural(len(site.essays), 'essay')}"
    where = output_display.rstrip("/") + "/"
    return f"Built {result.page_count} pages ({counts}) in {result.seconds:.2f} s → {where}"


def _plural(count: int, noun: str) -> str:
    """Return '1 essay' or '5 essays'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _usage_error(message: str) -> int:
    """Print a usage error and return its exit status."""
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE
