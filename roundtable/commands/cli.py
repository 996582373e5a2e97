"""The command line: build, check, new, serve; exit codes and the error report."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from roundtable.commands.new import CannotCreate, new_essay, new_roundtable
from roundtable.content.config import base_url_problem
from roundtable.content.placeholders import AUTHOR
from roundtable.content.read import read_site
from roundtable.errors import BuildFailed, CannotMake, ContentError, printable
from roundtable.options import BuildOptions
from roundtable.pipeline import BuildResult, build_site
from roundtable.render.pages import TemplateFailed, Theme
from roundtable.write import UnsafeOutput, check_output

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
PACKAGE_DIR = Path(__file__).resolve().parent.parent
NAME_MAX, PATH_MAX = 255, 4095
"""Longest file name and path, in bytes, that Linux and macOS file systems take."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return its exit status."""
    args = _parser().parse_args(_default_command(list(sys.argv[1:] if argv is None else argv)))
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


def run() -> None:
    """Run the command line as a program, and leave at once when it is done.

    A build leaves hundreds of thousands of objects behind; freeing them one by one before
    exiting costs a quarter of a second at 10,000 essays, so, as mypy does, the process ends
    without tearing down (the output is flushed, the cache closed and the workers gone by then).
    For the same reason a one-off command runs without Python's cycle collector: its first pass
    after a build would walk every one of those objects (a tenth of a second) to free nothing
    the exit does not. `serve`, which runs for hours, turns it back on.
    """
    gc.disable()
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to tell it
        status = status or EXIT_CONTENT
    os._exit(status)


def _default_command(argv: list[str]) -> list[str]:
    """Make `roundtable` alone, or with only options, mean `roundtable build`."""
    commands = {"build", "check", "new", "serve", "-h", "--help", "--version"}
    return argv if argv and argv[0] in commands else ["build", *argv]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, as every other usage error."""

    def error(self, message: str) -> NoReturn:
        """Print the mistake on one line, and exit 2."""
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    """Read a port number for --port, refusing one that no socket can take."""
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number from 0 to 65535")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    """Describe the commands and their options."""
    parser = _Parser(
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
    build.add_argument(
        "--no-cache", action="store_true", help="build from scratch, ignoring .roundtable-cache/"
    )
    build.add_argument(
        "--pdf", action="store_true", help="also write a PDF of every essay and roundtable"
    )
    build.set_defaults(run=run_build)

    check = commands.add_parser("check", help="validate content and links without writing")
    _content_options(check)
    check.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (CI uses this)"
    )
    check.set_defaults(run=run_check)

    serve = commands.add_parser("serve", help="preview with live reload")
    _content_options(serve)
    serve.add_argument(
        "--port", type=_port, default=8000, help="default: 8000 (0 picks a free one)"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="default: 127.0.0.1 (this computer only)"
    )
    serve.set_defaults(run=run_serve)

    new = commands.add_parser("new", help="start a new essay or roundtable")
    kinds = new.add_subparsers(dest="kind", required=True)
    essay = kinds.add_parser("essay", help="content/essays/<slug>.md")
    essay.add_argument("title")
    essay.add_argument("--roundtable", required=True, metavar="SLUG")
    essay.add_argument("--author", default=AUTHOR)
    essay.add_argument("--content", metavar="DIR", default="content")
    essay.set_defaults(run=run_new_essay, drafts=True)
    roundtable = kinds.add_parser("roundtable", help="content/roundtables/<slug>.md")
    roundtable.add_argument("title")
    roundtable.add_argument("--content", metavar="DIR", default="content")
    roundtable.set_defaults(run=run_new_roundtable)
    return parser


def run_check(args: argparse.Namespace) -> int:
    """Validate everything a build does, plus links and anchors, writing nothing."""
    problem = _arguments_problem(args)
    if problem:
        return _usage_error(problem)
    result = _build(build_options(args, None), "", failed=CHECK_FAILED)
    if result is None:
        return EXIT_CONTENT
    warnings = marked(result.warnings)
    for line in warnings:
        print(line, file=sys.stderr)
    failed = args.strict and bool(warnings)
    summary = _check_summary(result, len(warnings), strict=args.strict)
    print(summary, file=sys.stderr if failed else sys.stdout)
    return EXIT_CONTENT if failed else EXIT_OK


CHECK_FAILED = "Check failed (fix these errors, then check again)."
"""check's closing line when the site has mistakes."""


def _check_summary(result: BuildResult, warnings: int, *, strict: bool) -> str:
    """Return check's closing line: what was checked, what was found, and whether it failed."""
    pages = f"Checked {result.page_count} pages ({_counts(result)})"
    if not warnings:
        return f"{pages}: no problems found."
    found = f"{pages}: 0 errors, {_plural(warnings, 'warning')}"
    if strict:
        return f"{found}; check failed, as --strict counts warnings as errors."
    return f"{found}."


def run_serve(args: argparse.Namespace) -> int:
    """Serve the site with live reload until Ctrl-C."""
    gc.enable()  # a long-running process: see run()
    content = Path(args.content)
    problem = _arguments_problem(args)
    if problem:
        return _usage_error(problem)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: --host {args.host} lets other computers on the network see your drafts",
            file=sys.stderr,
        )
    theme = theme_for(content)
    watched = [content, *theme.template_dirs, *theme.asset_dirs, *theme.message_dirs]

    def options_for(url: str) -> BuildOptions:
        args.base_url = url
        # The pages are served first; serve makes the search index behind them.
        return replace(build_options(args, None), search_index=False)

    # Imported here: the server and the file watcher cost every other command time to load.
    from roundtable.commands.serve import serve

    return serve(options_for, args.host, args.port, watched)


def run_new_essay(args: argparse.Namespace) -> int:
    """Create a new essay file from the template."""
    content = Path(args.content)
    if _too_long(args.content):
        return _usage_error(_too_long_message("content", args.content))
    site, _ = read_site(build_options(args, None))
    try:
        path = new_essay(site, content, args.title, args.roundtable, args.author, dt.date.today())
    except CannotCreate as exc:
        return _usage_error(str(exc))
    print(_created(path))
    return EXIT_OK


def _created(path: Path) -> str:
    """Return new's closing line: the file it wrote, and what is left to do in it."""
    return f"Created {path} (replace its placeholders; check lists those left)."


def run_new_roundtable(args: argparse.Namespace) -> int:
    """Create a new roundtable file from the template."""
    if _too_long(args.content):
        return _usage_error(_too_long_message("content", args.content))
    try:
        path = new_roundtable(Path(args.content), args.title, dt.date.today())
    except CannotCreate as exc:
        return _usage_error(str(exc))
    print(_created(path))
    return EXIT_OK


def _arguments_problem(args: argparse.Namespace) -> str | None:
    """Return what is wrong with the folders and URL of a build, check or serve, if anything."""
    for option in ("content", "output"):
        value = getattr(args, option, None)
        if value and _too_long(value):
            return _too_long_message(option, value)
    url = getattr(args, "base_url", None)
    problem = base_url_problem(url) if url is not None else None
    if problem:
        return f"--base-url: {problem}"
    if not Path(args.content).is_dir():
        return f"{args.content}: no such folder (run from your project, or pass --content DIR)"
    return None


def _too_long(path: str) -> bool:
    """Return True for a path no file system takes: too long, or with a name too long."""
    names = [os.fsencode(name) for name in Path(path).parts]
    return len(os.fsencode(path)) > PATH_MAX or any(len(name) > NAME_MAX for name in names)


def _too_long_message(option: str, path: str) -> str:
    """Say that a path given to an option is too long, quoting its start."""
    return (
        f"--{option}: '{path[:60]}…' is too long for a file system "
        f"(use names under {NAME_MAX} bytes)"
    )


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
    # Messages: a site's own words first, then the package's catalogs (installed with it).
    message_dirs = _unique([project / "messages", PACKAGE_DIR / "messages"])
    return Theme(tuple(template_dirs), tuple(asset_dirs), Path.cwd().resolve(), tuple(message_dirs))


def _theme_dirs(theme: Theme) -> tuple[Path, ...]:
    """Return every folder the theme reads, which no build may write over."""
    return (*theme.template_dirs, *theme.asset_dirs, *theme.message_dirs)


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
        # check writes nothing, not even the cache.
        use_cache=args.command != "check" and not getattr(args, "no_cache", False),
        pdf=getattr(args, "pdf", False),
    )


def run_build(args: argparse.Namespace) -> int:
    """Build the site and print a one-line summary, or every error."""
    content = Path(args.content)
    problem = _arguments_problem(args)
    if problem:
        return _usage_error(problem)
    output_display = args.output or os.path.join(os.path.dirname(args.content.rstrip("/")), "site")
    output = Path(output_display)
    try:
        check_output(
            output,
            protected=(content, *_theme_dirs(theme_for(content))),
        )
    except UnsafeOutput as exc:
        return _usage_error(str(exc))
    except OSError as exc:  # a folder on the way that cannot be looked into
        return _usage_error(f"{output_display}: {exc.strerror} (choose another --output)")
    result = _build(build_options(args, output), output_display)
    if result is None:
        return EXIT_CONTENT
    for line in marked(result.warnings):
        print(line, file=sys.stderr)
    print(_summary(result, output_display))
    return EXIT_OK


def _build(options: BuildOptions, output_display: str, *, failed: str = "") -> BuildResult | None:
    """Run the pipeline, reporting the user's mistakes instead of raising them; `failed` is the
    closing line after them (default: the build failed, and where nothing changed)."""
    try:
        return build_site(options)
    except BuildFailed as exc:
        report(exc.errors, exc.warnings)
    except TemplateFailed as exc:
        report([exc.error])
    except OSError as exc:
        unchanged = " (the previous site is unchanged)" if options.output else ""  # check: none
        said = exc.strerror or str(exc)  # an OSError of a library may name no error number
        print(f"{exc.filename or output_display}: {said}{unchanged}", file=sys.stderr)
        return None
    except CannotMake as exc:  # what the user asked for cannot be made here: one line says why
        unchanged = f" {output_display.rstrip('/')}/ is unchanged." if options.output else ""
        print(printable(f"error: {exc}.{unchanged}"), file=sys.stderr)  # may quote a program
        return None
    where = f" ({output_display.rstrip('/')}/ is unchanged)" if options.output else ""
    print(failed or f"Build failed{where}.", file=sys.stderr)
    return None


def report(errors: list[ContentError], warnings: Sequence[ContentError] = ()) -> None:
    """Print every error and warning, one a line in file order, then how many errors."""
    for line in sorted([*errors, *marked(warnings)]):
        print(line, file=sys.stderr)
    noun = "error" if len(errors) == 1 else "errors"
    print(f"{len(errors)} {noun}.", file=sys.stderr)


def marked(warnings: Sequence[ContentError]) -> list[ContentError]:
    """Return warnings as they are printed: 'path:line: warning: …'."""
    return [ContentError(w.path, w.line, "warning: " + w.message) for w in warnings]


def _summary(result: BuildResult, output_display: str) -> str:
    """Return the one-line summary of a successful build."""
    where = output_display.rstrip("/") + "/"
    return (
        f"Built {result.page_count} pages ({_counts(result)}) in {result.seconds:.2f} s → {where}"
    )


def _counts(result: BuildResult) -> str:
    """Return '1 roundtable, 5 essays'."""
    roundtables, essays = result.counts
    return f"{_plural(roundtables, 'roundtable')}, {_plural(essays, 'essay')}"


def _plural(count: int, noun: str) -> str:
    """Return '1 essay' or '5 essays'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _usage_error(message: str) -> int:
    """Print a usage error and return its exit status."""
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE
