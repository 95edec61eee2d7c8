"""The README shows the CLI's current --help output."""

from __future__ import annotations

from tests.cli.readme_help import README, current_block, render


def test_readme_command_line_block_matches_the_help_output() -> None:
    assert current_block(README.read_text(encoding="utf-8")) == render(), (
        "README's command-line help is stale: run `.venv/bin/python -m tests.cli.readme_help`"
    )
