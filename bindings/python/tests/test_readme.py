"""The Python examples of bindings/README.md and of the package's docstring, run as written."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path
from typing import List

import vigil

README = Path(__file__).resolve().parents[2] / "README.md"


class ModerationQueue:
    def __init__(self) -> None:
        self.sent: List[str] = []

    def send(self, document: str) -> None:
        self.sent.append(document)


def test_readme_example_scores_a_message():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)
    assert blocks, "no Python example in bindings/README.md"
    queue = ModerationQueue()
    exec(compile(blocks[0], str(README), "exec"), {"vigil": vigil, "moderation_queue": queue})
    assert queue.sent, "the README example raised no escalation"
    assert json.loads(queue.sent[0])["schema"] == "vigil.escalation/1"


def test_package_docstring_example_runs():
    result = doctest.testmod(vigil, verbose=False)
    assert result.attempted > 0, "no example in the package docstring"
    assert result.failed == 0
