"""The command-line entry point: ``hallofshame --help`` lists every command."""

from __future__ import annotations

import logging
import sys

import click

from hallofshame import __version__


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


# Every option can also come from the environment: HOS_<COMMAND>_<OPTION>, e.g.
# HOS_RUN_DAYS=7 or HOS_SERVE_PORT=9000 (handy under `make run` and in unit files).
@click.group(context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "HOS"})
@click.version_option(__version__, prog_name="hallofshame")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
def main(verbose: bool) -> None:
    """Theme Park Hall of Shame: which theme parks and rides break down the most."""
    _configure_logging(verbose)


@main.group()
def db() -> None:
    """Create and migrate the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    from hallofshame.db import migrate
    from hallofshame.db.engine import get_engine

    migrate.upgrade(get_engine(), revision)
    click.echo(f"database at {migrate.current(get_engine())}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (``base`` empties it)."""
    from hallofshame.db import migrate
    from hallofshame.db.engine import get_engine

    migrate.downgrade(get_engine(), revision)
    click.echo(f"database at {migrate.current(get_engine()) or 'base'}")


@db.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from hallofshame.db import migrate
    from hallofshame.db.engine import get_engine

    click.echo(migrate.current(get_engine()) or "base")


def register(command: click.Command) -> click.Command:
    """Attach a command defined in another module (keeps this file small)."""
    main.add_command(command)
    return command


def _load_commands() -> None:
    import importlib

    for module in ("hallofshame.commands",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a module not written yet
            if exc.name != module:
                raise


_load_commands()
