"""What one build is asked to do: the options every command gives the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roundtable.render.pages import Theme

CACHE_DIR = ".roundtable-cache"
"""The folder, beside the output, where a build keeps its work for the next one."""


@dataclass(frozen=True)
class BuildOptions:
    """What one build reads and where it writes."""

    content: Path
    """The content folder."""
    content_display: str
    """The content folder as the user named it, for messages."""
    output: Path | None
    """Where the site goes; None keeps it in memory (check, serve)."""
    theme: Theme
    """Templates and assets."""
    drafts: bool = False
    """Publish essays marked `draft: true`."""
    base_url: str | None = None
    """Replaces site.yml's base_url."""
    workers: int = 0
    """Processes for Markdown and rendering; 0 uses every core."""
    use_cache: bool = True
    """Reuse work from earlier builds (kept in `.roundtable-cache/` beside the output)."""
    search_index: bool = True
    """Make the search index in the build (serve makes it after the pages, in the background)."""
    pdf: bool = False
    """Also print a PDF of every essay and roundtable (`--pdf`)."""

    @property
    def cache_dir(self) -> Path | None:
        """Return the folder of the build cache, beside the output (or the content)."""
        if not self.use_cache:
            return None
        beside = self.output if self.output is not None else self.content
        return beside.resolve().parent / CACHE_DIR
