"""The CLI's command hub: every module's commands are attached to ``hallofshame`` here."""

from __future__ import annotations

from hallofshame.cli import main
from hallofshame.jobs.commands import COMMANDS

for command in COMMANDS:
    main.add_command(command)

from hallofshame.api.serve import serve  # noqa: E402 - the hub attaches commands in order

main.add_command(serve)
