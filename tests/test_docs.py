"""The documentation: the MkDocs site builds with --strict, and the README's links resolve."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# [text](target) and ![alt](target), with an optional "title"; the target is group 1.
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")


def relative_links(markdown: str) -> list[str]:
    """Every relative link target of a Markdown text, outside code blocks and code spans."""
    text = _CODE.sub("", _FENCE.sub("", markdown))
    targets = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("#", "/")):
            continue  # http:, https:, mailto:, in-page anchors, absolute paths
        targets.append(target)
    return targets


def broken_links(markdown_file: Path) -> list[str]:
    """The relative links of ``markdown_file`` whose file does not exist."""
    base = markdown_file.parent
    return [
        target
        for target in relative_links(markdown_file.read_text("utf-8"))
        if not (base / target.split("#", 1)[0]).exists()
    ]


def build_site(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``project`` into ``site`` (never into the repository)."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_site_builds_strict(tmp_path: Path) -> None:
    done = build_site(ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    for page in ("index", "install", "data", "networks", "radar", "planner", "server"):
        assert (tmp_path / "site" / ("" if page == "index" else page) / "index.html").is_file()
    for image in ROOT.glob("docs/*.png"):
        assert (tmp_path / "site" / image.name).is_file()


def test_site_build_fails_on_a_broken_link(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    with (project / "docs" / "radar.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the missing page](no_such_page.md).\n")
    done = build_site(project, tmp_path / "site")
    assert done.returncode != 0
    assert "no_such_page.md" in done.stderr


def test_site_build_fails_on_a_missing_anchor(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    with (project / "docs" / "server.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the cache](data.md#no-such-section).\n")
    done = build_site(project, tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-section" in done.stderr


def test_readme_links_resolve() -> None:
    links = relative_links((ROOT / "README.md").read_text("utf-8"))
    assert "docs/server.png" in links and "docs/architecture.md" in links
    assert broken_links(ROOT / "README.md") == []


def test_readme_link_check_catches_a_bad_link(tmp_path: Path) -> None:
    copy = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text("utf-8")
    (tmp_path / "docs").mkdir()
    for target in relative_links(text):
        path = tmp_path / target.split("#", 1)[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    copy.write_text(text, encoding="utf-8")
    assert broken_links(copy) == []
    copy.write_text(
        text + "\n[Old reference](docs/reference.md) ![shot](docs/gone.png)\n"
        "`[in code](not_a_link.md)`\n",
        encoding="utf-8",
    )
    assert broken_links(copy) == ["docs/reference.md", "docs/gone.png"]


def test_readme_stays_short_and_docs_pages_are_in_the_nav() -> None:
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) <= 200
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f": {page.name}" in nav, page.name
        assert f"docs/{page.name}" in (ROOT / "README.md").read_text("utf-8"), page.name
