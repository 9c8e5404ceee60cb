"""Command line: ``python -m geo <command>``; a thin shell over the ``geo`` functions."""

from geo.cli.main import main

__all__ = [
    "main",
]
