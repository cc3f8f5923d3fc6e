"""The documentation holds together: every citation of docs/rules.md in the code, messages and docs names a
heading that exists, every relative link in the Markdown files leads to a file (and heading) that exists,
the README stays short, and no project file tells how the project was developed (that is git log's job)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"docs/rules\.md#([a-z0-9-]+)")
LINK = re.compile(r"\]\(([^)\s]+)\)")
README_MOST_LINES = 150
# Words of development history: a work session, an issue number. Gemini's export has a column "API Session",
# which is the exchange's word, not ours.
HISTORY = re.compile(r"(?<!API )\bsessions?\b|\bissues?\s*#\s*\d", re.IGNORECASE)


def anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(line.lstrip("#")) for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")}


def project_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / name for name in listed.splitlines()
            if name.endswith((".py", ".md", ".sh", ".toml", ".txt")) and (ROOT / name).exists()]


def test_anchor_rule() -> None:
    assert anchor("Netting, the loss limit and carryover") == "netting-the-loss-limit-and-carryover"
    assert anchor(" The carryover worksheet's line 1") == "the-carryover-worksheets-line-1"


def test_every_rule_citation_names_a_heading() -> None:
    headings = anchors(ROOT / "docs" / "rules.md")
    cited = {(path.relative_to(ROOT).as_posix(), name) for path in project_files()
             for name in CITATION.findall(path.read_text(encoding="utf-8"))}
    assert cited, "the code cites its rules"
    assert [(where, name) for where, name in sorted(cited) if name not in headings] == []


def test_nothing_cites_a_file_outside_the_project() -> None:
    outside = [path.relative_to(ROOT).as_posix() for path in project_files()
               if path.name != "test_docs.py" and "domain.md" in path.read_text(encoding="utf-8")]
    assert outside == []


@pytest.mark.parametrize("page", sorted(path.relative_to(ROOT).as_posix() for path in ROOT.rglob("*.md")
                                        if ".venv" not in path.parts and "node_modules" not in path.parts))
def test_links_resolve(page: str) -> None:
    source = ROOT / page
    broken = []
    for target in LINK.findall(source.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        linked = (source.parent / file_part).resolve() if file_part else source
        missing = not linked.exists() or (bool(fragment) and linked.suffix == ".md" and fragment not in anchors(linked))
        if missing:
            broken.append(target)
    assert broken == []


def tracked_texts() -> list[tuple[str, str]]:
    """(path, text) of every tracked file that is text (workbooks and other binaries are left out)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    texts = []
    for name in listed.splitlines():
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            texts.append((name, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return texts


@pytest.mark.parametrize(("text", "history"), [
    ("the fifth session's steps", True),
    ("runs by Session", True),
    ("the planning commands (issue #6)", True),
    ("Issue #19 asks for it", True),
    ("Trade ID,Order ID,Client Order ID,API Session,Tx Hash", False),  # a column of Gemini's export
    ("every problem as an Issue(row, column, message)", False),
    ("issues of the table", False),
])
def test_history_words(text: str, history: bool) -> None:
    assert bool(HISTORY.search(text)) is history


def test_no_file_tells_the_development_history() -> None:
    texts = tracked_texts()
    assert len(texts) > 100, "the listing reaches the project's files"
    found = [f"{name}:{number}: {line.strip()}" for name, text in texts if name != "tests/test_docs.py"
             for number, line in enumerate(text.splitlines(), start=1) if HISTORY.search(line)]
    assert found == []


def test_the_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert 20 < len(lines) <= README_MOST_LINES
