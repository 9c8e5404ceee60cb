"""Command line: ``python -m geo <command>``; a thin shell over the ``geo`` functions."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.cli.common import (
    EXIT_BAD_INPUT,
    Parser,
    add_data_options,
    print_written,
    run_from_args,
)
from geo.cli.engine import add_engine_options
from geo.cli.postbox import add_postbox_command
from geo.cli.reports import (
    add_evaluate_command,
    add_export_public_command,
    add_intervention_command,
)
from geo.cli.tune import add_tune_command
from geo.errors import ValidationError

__all__ = [
    "build_parser",
    "main",
]


def _cmd_hotspots(args: argparse.Namespace) -> int:
    from geo.maps import tile_layer
    from geo.staff import write_outputs

    if args.tiles is not None:
        tile_layer(args.tiles, attribution=args.attribution)  # checked before the long run
    elif args.attribution:
        raise ValidationError("--attribution: given without --tiles (it credits a basemap)")
    result = run_from_args(args)
    paths = write_outputs(result, args.out, tiles=args.tiles, attribution=args.attribution)
    print(result.counts.sentence())
    for note in result.notes:
        print(f"note: {note}")
    top = result.hotspots.head(5)
    for row in top.itertuples(index=False):
        print(
            f"  #{row.rank} {row.place} ({row.ward_name}, {row.hotspot_id}): "
            f"{row.n_incidents} incidents, score {row.score:.1f}, {row.trend}"
        )
    print_written(paths)
    return 0


def _cmd_hash_password(args: argparse.Namespace) -> int:
    from geo.auth import hash_password

    if args.stdin:
        raw = getattr(sys.stdin, "buffer", sys.stdin)  # bytes, decoded here; text as given
        line = raw.readline()
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError:
            raise ValidationError(
                "--stdin: the password is not UTF-8 text; nothing was printed"
            ) from None
        password = text.rstrip("\r\n")
    else:
        import getpass

        password = getpass.getpass("New staff password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise ValidationError("The two passwords differ; nothing was printed.")
    print(hash_password(password))
    return 0


def _add_hash_password_command(sub: argparse._SubParsersAction[Parser]) -> None:
    p = sub.add_parser(
        "hash-password",
        help="print a salted hash of a new staff password for the app's protected pages",
        description=(
            "Prints a salted scrypt hash of a staff password. Put it in .streamlit/secrets.toml "
            'as staff_password_hash = "..." or in the environment variable '
            "HOTSPOTS_STAFF_PASSWORD_HASH. The password itself is never stored."
        ),
    )
    p.add_argument(
        "--stdin", action="store_true", help="read the password from the first line of stdin"
    )
    p.set_defaults(func=_cmd_hash_password)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m geo`` argument parser with every command."""
    parser = Parser(
        prog="python -m geo",
        description="Hotspot maps for neighbourhood policing: ward-bounded DBSCAN on police.uk and "
        "local incident files, with no network needed.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("hotspots", help="cluster incidents into ranked hotspots per ward")
    add_data_options(p)
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.add_argument(
        "--tiles",
        metavar="URL",
        help=(
            "basemap tile URL for map.html, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
            "or a force's own tile server (needs --attribution; default: no basemap, the map "
            "works offline)"
        ),
    )
    p.add_argument(
        "--attribution",
        metavar="TEXT",
        default="",
        help="the credit the tile provider requires, shown on the map (with --tiles)",
    )
    add_engine_options(p)
    p.set_defaults(func=_cmd_hotspots)

    _add_hash_password_command(sub)
    add_intervention_command(sub)
    add_postbox_command(sub)
    add_export_public_command(sub)
    add_evaluate_command(sub)
    add_tune_command(sub)
    return parser


def check_out_folder(out: Path) -> None:
    """Refuse an ``--out`` that is a file, lies under a file, or is in a folder not writable.

    Checked before any work, so a long run does not end in a failed write. Nothing is
    created here.

    Raises
    ------
    ValidationError
        Naming the option, the path and what is wrong with it.

    """
    if out.exists() and not out.is_dir():
        raise ValidationError(f"--out {out}: is a file, not a folder (give a folder to write into)")
    parent = out
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValidationError(f"--out {out}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValidationError(f"--out {out}: cannot write in {parent} (permission denied)")


#: Whole-number options that cannot be negative, checked before any work.
_COUNT_OPTIONS = ("top",)


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse option values argparse lets through (e.g. ``--top -1``) before any work.

    Raises
    ------
    ValidationError
        Naming the option, what it takes and what it got.

    """
    for name in _COUNT_OPTIONS:
        value = getattr(args, name, None)
        if value is not None and value < 0:
            raise ValidationError(
                f"--{name.replace('_', '-')} must be a whole number >= 0. Got {value} instead."
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input or options)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_arguments(args)
        if isinstance(getattr(args, "out", None), Path):
            check_out_folder(args.out)
        return int(args.func(args))
    except ValidationError as exc:
        print(f"error: {exc.first_line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, OSError) and exc.filename is not None:
            # a file or folder the user named could not be written (or read)
            reason = exc.strerror or type(exc).__name__
            print(f"error: cannot use {exc.filename} ({reason})", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(
            f"error: unexpected failure ({type(exc).__name__}: {exc}); rerun with --debug",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
