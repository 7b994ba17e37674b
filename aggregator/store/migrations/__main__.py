"""``python -m aggregator.store.migrations revision -m "what changed"``: a new revision with
what the models have that the newest revision lacks (compared on a scratch SQLite database
brought to head). ``... upgrade [URL]``: migrate a database by hand (default:
``$TINLAODONG_DATABASE_URL``)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from aggregator.store.migrations import alembic_config, upgrade


def next_revision_id() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    numbers = [int(r.revision) for r in script.walk_revisions() if r.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def revision(message: str) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/scratch.sqlite3")
        upgrade(engine)
        with engine.begin() as connection:
            config = alembic_config(connection)
            config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
            made = command.revision(
                config, message=message, autogenerate=True, rev_id=next_revision_id()
            )
        engine.dispose()
    assert made is not None and not isinstance(made, list)
    return Path(made.path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aggregator.store.migrations")
    sub = parser.add_subparsers(dest="command", required=True)
    rev = sub.add_parser("revision", help="write a revision from the models' changes")
    rev.add_argument("-m", "--message", required=True)
    up = sub.add_parser("upgrade", help="migrate a database to the newest revision")
    up.add_argument("url", nargs="?", default=os.environ.get("TINLAODONG_DATABASE_URL"))
    args = parser.parse_args(argv)
    if args.command == "revision":
        print(revision(args.message))
        return 0
    if not args.url:
        parser.error("upgrade: give a database URL or set TINLAODONG_DATABASE_URL")
    from aggregator.store.database import create_store_engine, one_line
    from aggregator.store.search_schema import create_search_tables

    engine = create_store_engine(args.url)
    try:
        upgrade(engine, then=create_search_tables)
    except (SQLAlchemyError, OSError) as exc:
        print(f"cannot migrate the database: {one_line(exc)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
