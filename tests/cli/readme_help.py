"""The README's "Command line" block: the CLI's --help output, regenerated in process.

Run ``.venv/bin/python -m tests.cli.readme_help`` to rewrite the block after changing a command.
Help is rendered as plain text (as with ``TYPER_USE_RICH=0``) at 80 columns, so it does not depend
on the terminal.
"""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import typer.core
from typer.testing import CliRunner

from ecombridge.cli.main import app

README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- cli-help:start -->"
END = "<!-- cli-help:end -->"
COMMANDS: tuple[tuple[str, ...], ...] = (
    (),
    ("sync",),
    ("status",),
    ("errors",),
    ("import",),
    ("demo",),
)


def render() -> str:
    runner = CliRunner()
    parts = []
    env = {"COLUMNS": "80", "LINES": "25"}
    with mock.patch.object(typer.core, "HAS_RICH", False), mock.patch.dict(os.environ, env):
        for command in COMMANDS:
            result = runner.invoke(app, [*command, "--help"], prog_name="ecombridge")
            assert result.exit_code == 0, result.output
            title = " ".join(("ecombridge", *command, "--help"))
            parts.append(f"$ {title}\n{result.stdout.rstrip()}\n")
    return "```text\n" + "\n".join(parts) + "```"


def current_block(text: str) -> str:
    start = text.index(START) + len(START)
    return text[start : text.index(END)].strip()


def update() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index(START) + len(START)
    end = text.index(END)
    README.write_text(text[:start] + "\n" + render() + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    update()
