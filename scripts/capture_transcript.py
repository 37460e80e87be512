"""Print a conversation with the real bot: both servers on free 127.0.0.1 ports, over REST.

Run from the project root after scripts/setup.sh:
    PYTHONPATH=. .venv/bin/python scripts/capture_transcript.py
The README's transcript was captured this way.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.stack import Stack

MESSAGES = [
    "hi",
    "something like Alien but less scary, maybe from the 80s",
    "I've seen the first one, and the second sounds boring",
    "the third one looks great, thanks",
    "why the second one?",
]


def main() -> None:
    stack = Stack(work_dir=Path(tempfile.mkdtemp(prefix="transcript-")))
    lines: list[str] = []
    with stack.running():
        for message in MESSAGES:
            lines.append(f"you> {message}")
            for reply in stack.say("readme", message):
                for number, line in enumerate(reply.get("text", "").splitlines()):
                    lines.append(("bot> " if number == 0 else "     ") + line)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
