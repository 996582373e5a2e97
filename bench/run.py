"""Benchmark builds as users run them: cold, no-op, one essay's body edited, one essay's title
edited; medians of several runs, side by side with Hugo when it is installed.

    python bench/run.py                          # 1,000 and 10,000 essays, 3 runs each
    python bench/run.py --sizes 1000 --runs 5
    python bench/run.py --sizes 1000 --runs 5 --no-search

The corpus has the default configuration, search on (`--no-search` writes `search: false`, for
the comparison without the index). When Hugo is on the PATH, the same corpus is built in the same
run as a Hugo user builds it, with a minimal theme of equivalent pages: `hugo` followed by the
Pagefind CLI over its output (`python -m pagefind --site public`), or `hugo` alone with
`--no-search`, each kind of build timed as ours is. Every row with a Hugo figure gives the ratio
ours / theirs (below 1: we are faster).

Each run starts from the same corpus: a cold build (output and cache deleted; Hugo's `public`
deleted), a no-op build, a build after a line is added to one essay's body, a build after another
essay's title is changed; then both essays are restored, so no run sees another's edits.

`serve save` is the median time from saving an essay to the dev server answering with the
edited page, as a browser does on the reload event. Peak memory is the largest sum of the
memory of the build and its worker processes, sampled every 100 ms: proportional set size (PSS),
which counts a page that forked workers share with the build once, not once per process (their
resident sizes would count it three times). Reading a process's PSS costs a few milliseconds:
sampled more often, the watcher would take a share of the two cores from the build it measures.
For Hugo followed by Pagefind, the time is the sum of the two and the memory the larger peak.
Our package is compiled to bytecode first, as `pip install` does.

`markdown floor` is what no build of the corpus can beat with our parser: bare markdown-it-py
(CommonMark, typographer, tables, footnotes) converting every body, the work shared over every
core, nothing read or written but the Markdown.

The corpora are built in memory (`/dev/shm`, where there is one; `--workdir` chooses). On disk,
a cold build follows the deletion of the last one's 32,000 files, and a file system such as this
machine's (ext4 without a journal) then scans past every recently deleted inode for each file it
creates: seconds per ten thousand files, varying with what was deleted when, for Hugo as for us.

What a reader waits for once the site is built is measured by bench/search_reader.py.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import functools
import http.client
import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from corpus import write_corpus
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

REPO = Path(__file__).resolve().parents[1]
SAMPLE_EVERY = 0.1
"""Seconds between two samples of the builds' memory."""
KINDS = ("cold", "no-op", "body edited", "title edited")
"""The builds each run makes, in order, with every generator."""

Timing = tuple[float, float]
"""Wall seconds and peak MiB of one build (or the medians of several)."""


@dataclass(frozen=True)
class Generator:
    """A way to build the corpus, as its users run it."""

    folder: Path
    """Where its copy of the content lives and its commands run."""
    commands: tuple[tuple[str, ...], ...]
    """What one build runs, one command after the other."""
    output: tuple[str, ...]
    """The folders a cold build starts without."""

    def build(self) -> Timing:
        """Build once."""
        return measure(self.commands, self.folder)

    def clean(self) -> None:
        """Delete the output (and any cache), for a cold build."""
        for name in self.output:
            shutil.rmtree(self.folder / name, ignore_errors=True)


def measure(commands: tuple[tuple[str, ...], ...], cwd: Path) -> Timing:
    """Run commands one after the other; return the summed seconds and the largest peak."""
    seconds, peak = 0.0, 0.0
    for command in commands:
        spent, mib = measure_one(command, cwd)
        seconds, peak = seconds + spent, max(peak, mib)
    return seconds, peak


def measure_one(command: tuple[str, ...], cwd: Path) -> Timing:
    """Run a command; return (wall seconds, peak MiB summed over its process tree)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    watcher = threading.Thread(target=_watch_memory, args=(proc.pid, peak), daemon=True)
    watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    watcher.join(timeout=1)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode()}")
    return seconds, peak[0] / 2**20


def _watch_memory(pid: int, peak: list[int]) -> None:
    """Sample the memory of a process and its children until it exits."""
    try:
        root = psutil.Process(pid)
        while root.is_running() and root.status() != psutil.STATUS_ZOMBIE:
            total = 0
            with contextlib.suppress(psutil.Error):  # a worker may end while it is listed
                for process in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += _memory(process)
            peak[0] = max(peak[0], total)
            time.sleep(SAMPLE_EVERY)
    except psutil.Error:
        return


def _memory(process: psutil.Process) -> int:
    """Return a process's proportional set size (its resident size where PSS is unknown)."""
    info = process.memory_full_info()
    return int(getattr(info, "pss", info.rss))


def ours(project: Path) -> Generator:
    """Return our build of a project."""
    build = (sys.executable, str(REPO / "build.py"), "build")
    return Generator(project, (build,), ("site", ".roundtable-cache"))


def hugo(executable: str, project: Path, site: Path, search: bool) -> Generator:
    """Return Hugo's build of the project's content, followed by the Pagefind CLI with search."""
    _hugo_site(project, site)
    commands: list[tuple[str, ...]] = [(executable, "--quiet")]
    if search:
        commands.append((sys.executable, "-m", "pagefind", "--site", "public", "--quiet"))
    return Generator(site, tuple(commands), ("public",))


def _hugo_site(project: Path, site: Path) -> None:
    """Lay the corpus out as a Hugo site: essays and roundtables as sections, simple layouts.

    As in our theme, Pagefind indexes the essays' and roundtables' pages (`data-pagefind-body`)
    and filters them by author, roundtable and topic.
    """
    for section in ("essays", "roundtables"):
        shutil.copytree(project / "content" / section, site / "content" / section)
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/bench/"\ntitle = "Bench"\n'
        "[markup.goldmark.extensions]\n  typographer = true\n  footnote = true\n",
        encoding="utf-8",
    )
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body>"
        "<main data-pagefind-body><h1>{{ .Title }}</h1>"
        "<p><span data-pagefind-filter='author'>{{ .Params.author }}</span>, "
        "{{ .Params.affiliation }}</p>"
        "<p data-pagefind-filter='roundtable'>{{ .Params.roundtable }}</p>"
        "{{ range .Params.tags }}<span data-pagefind-filter='topic'>{{ . }}</span>{{ end }}"
        "{{ .Content }}<p>{{ .Params.bio }}</p></main>"
        "{{ with .PrevInSection }}<a href='{{ .RelPermalink }}'>{{ .Title }}</a>{{ end }}"
        "{{ with .NextInSection }}<a href='{{ .RelPermalink }}'>{{ .Title }}</a>{{ end }}"
        "</body></html>",
        encoding="utf-8",
    )
    (layouts / "list.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>"
        "{{ range .Pages }}<h2><a href='{{ .RelPermalink }}'>{{ .Title }}</a></h2>"
        "<p>{{ .Summary }}</p>{{ end }}</body></html>",
        encoding="utf-8",
    )


def time_one_run(generators: dict[str, Generator], run: int) -> dict[str, dict[str, Timing]]:
    """Time each kind of build once with every generator; leave the content as it was."""
    essays = sorted(Path("content/essays") / p.name for p in _essays(generators["ours"].folder))
    body, title = essays[len(essays) // 2], essays[len(essays) // 3]
    original = {path: (generators["ours"].folder / path).read_bytes() for path in (body, title)}
    edits = {"body edited": (body, add_line), "title edited": (title, retitle)}
    timings: dict[str, dict[str, Timing]] = {}
    for generator in generators.values():
        generator.clean()
    for kind in KINDS:
        if kind in edits:
            path, edit = edits[kind]
            for generator in generators.values():
                edit(generator.folder / path, run)
        timings[kind] = {name: generator.build() for name, generator in generators.items()}
    for generator in generators.values():
        for path, text in original.items():
            (generator.folder / path).write_bytes(text)
    return timings


def _essays(project: Path) -> list[Path]:
    """Return a project's essay files, in order."""
    return sorted((project / "content" / "essays").glob("*.md"))


def add_line(essay: Path, run: int) -> None:
    """Add a line to an essay's body, different in each run."""
    essay.write_text(
        essay.read_text(encoding="utf-8") + f"\nEdited in run {run}.\n", encoding="utf-8"
    )


def retitle(essay: Path, run: int) -> None:
    """Change an essay's title, differently in each run."""
    text = essay.read_text(encoding="utf-8")
    edited = re.sub(
        r"^title: (.*)$", rf"title: \1, retitled in run {run}", text, count=1, flags=re.M
    )
    essay.write_text(edited, encoding="utf-8")


def markdown_floor(project: Path, workers: int) -> tuple[float, float]:
    """Time bare markdown-it-py converting every essay of a corpus on `workers` processes."""
    started = time.perf_counter()
    essays = sorted(str(p) for p in (project / "content" / "essays").glob("*.md"))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_convert_bare, essays, chunksize=max(1, len(essays) // (workers * 8)))
    return time.perf_counter() - started, 0.0


def _convert_bare(path: str) -> int:
    """Convert one essay's body with a bare markdown-it-py; return the HTML's length."""
    text = Path(path).read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    return len(_bare_parser().render(body))


@functools.cache
def _bare_parser() -> MarkdownIt:
    """Return markdown-it-py configured as our renderer is, without our rules."""
    parser = MarkdownIt("commonmark", {"typographer": True})
    return parser.enable(["replacements", "smartquotes", "table"]).use(footnote_plugin)


def bench_size(
    count: int, runs: int, root: Path, search: bool, serve: bool
) -> dict[str, dict[str, Timing]]:
    """Return, for each kind of build, the median Timing of each generator at one corpus size."""
    project = root / f"corpus-{count}"
    write_corpus(count, project, search=search)
    generators = {"ours": ours(project)}
    executable = shutil.which("hugo")
    if executable:
        generators["hugo"] = hugo(executable, project, root / f"hugo-{count}", search)
    runs_timed = [time_one_run(generators, run) for run in range(runs)]
    results = {
        kind: {name: _median([t[kind][name] for t in runs_timed]) for name in generators}
        for kind in KINDS
    }
    floor = [markdown_floor(project, os.cpu_count() or 1) for _ in range(runs)]
    results["markdown floor"] = {"ours": _median(floor)}
    if serve:
        results["serve save"] = {"ours": (serve_latency(project, saves=max(5, runs)), 0.0)}
    return results


def serve_latency(project: Path, saves: int) -> float:
    """Return the median time from saving an essay to `serve` answering with the edited page.

    What a browser does on a reload event: the page is fetched when the server announces a
    build, and the time is taken when the fetched page holds the new words.
    """
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--port", "0"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        port = _served_port(proc)
        essays = sorted((project / "content" / "essays").glob("*.md"))
        essay = essays[len(essays) // 3]
        page = f"/essays/{essay.stem}/"
        events = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        events.request("GET", "/__roundtable/events")
        stream = events.getresponse()
        _next_event(stream)  # the current build
        samples = []
        for run in range(saves):
            time.sleep(0.5)  # let the watcher settle, as between an editor's saves
            marker = f"Saved-{run}-{time.time_ns()}"
            text = essay.read_text(encoding="utf-8")
            started = time.perf_counter()
            essay.write_text(text + f"\n{marker}\n", encoding="utf-8")
            while True:
                _next_event(stream)
                if marker in _fetch(port, page):
                    break
            samples.append(time.perf_counter() - started)
        events.close()
        return statistics.median(samples)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _served_port(proc: subprocess.Popen[str]) -> int:
    """Read the port from the server's 'Serving on' line."""
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"Serving on http://[^ ]+:(\d+)/", line)
        if match:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep it drained
            return int(match.group(1))
    raise SystemExit("serve did not start")


def _next_event(stream: http.client.HTTPResponse) -> None:
    """Wait for the next build event of a Server-Sent Events stream (skipping keep-alives)."""
    while True:
        line = stream.readline()
        if not line:
            raise SystemExit("serve closed the event stream")
        if line.startswith(b"data:"):
            return


def _fetch(port: int, path: str) -> str:
    """Return a served page."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    body = conn.getresponse().read().decode("utf-8")
    conn.close()
    return body


def _median(samples: list[Timing]) -> Timing:
    """Return the median time and the median peak memory."""
    return statistics.median(s for s, _ in samples), statistics.median(m for _, m in samples)


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        help="write search: false (and time Hugo without Pagefind), for the comparison",
    )
    parser.add_argument(
        "--serve-up-to",
        type=int,
        default=1000,
        metavar="N",
        help="time `serve` (save to edited page served) at sizes up to N essays (default 1000)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=_memory_folder(),
        help="where the corpora are built (default: /dev/shm when there is one)",
    )
    args = parser.parse_args()
    # Bytecode is read when it is there, even where PYTHONDONTWRITEBYTECODE stops writing it.
    compileall.compile_dir(REPO / "roundtable", quiet=1)
    theirs = "Hugo + Pagefind" if args.search else "Hugo"
    print(f"search {'on' if args.search else 'off'}; {args.runs} runs, medians; ", end="")
    print(f"{psutil.cpu_count()} cores; corpora in {args.workdir}")
    print(f"{'essays':>7}  {'build':<14} {'ours':>18}  {theirs:>18}  {'ours/theirs':>11}")
    with tempfile.TemporaryDirectory(prefix="roundtable-bench-", dir=args.workdir) as tmp:
        for count in args.sizes:
            serve = count <= args.serve_up_to
            results = bench_size(count, args.runs, Path(tmp), args.search, serve)
            for kind, timings in results.items():
                print(f"{count:>7}  {kind:<14} {_row(timings)}", flush=True)
            floor = results["cold"]["ours"][0] / results["markdown floor"]["ours"][0]
            print(f"{count:>7}  our cold / markdown floor = {floor:.2f}", flush=True)


def _row(timings: dict[str, Timing]) -> str:
    """Return our figures, Hugo's where there are some, and the ratio of the times."""
    row = _cell(timings["ours"])
    if "hugo" in timings:
        row += f"  {_cell(timings['hugo'])}  {timings['ours'][0] / timings['hugo'][0]:>11.2f}"
    return row


def _cell(timing: Timing) -> str:
    """Return seconds and MiB, aligned (no MiB where memory is not measured)."""
    seconds, mib = timing
    return f"{seconds:>7.2f} s {mib:>5.0f} MiB" if mib else f"{seconds:>7.2f} s {'':>9}"


def _memory_folder() -> Path | None:
    """Return a folder held in memory, where the system has one (None: the usual temp folder)."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


if __name__ == "__main__":
    main()
