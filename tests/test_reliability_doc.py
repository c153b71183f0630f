"""docs/reliability.md names a test for every promise: each named test must exist where it says."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"


def test_every_test_the_reliability_doc_names_exists_in_the_file_it_links():
    text = DOC.read_text(encoding="utf-8")
    links = re.findall(r"\[([^\]]+)\]\(\.\./(tests/[\w/]+\.py)\)", text)
    assert len(links) >= 30
    missing = []
    for names, path in links:
        source = (ROOT / path).read_text(encoding="utf-8")
        missing += [f"{path}::{name}" for name in re.findall(r"`(test_\w+)`", names)
                    if not re.search(rf"^(async )?def {name}\(", source, re.MULTILINE)]
    assert missing == []
    everywhere = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    unlinked = [name for name in set(re.findall(r"`(test_\w+)`", text))
                if not re.search(rf"^(async )?def {name}\(", everywhere, re.MULTILINE)]
    assert unlinked == []
