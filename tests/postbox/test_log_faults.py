"""The placement log under faults: several writers at once, one killed with SIGKILL mid-write.

Each writer acknowledges a placement (appends its box and date to its own file, flushed and
synced) only after :func:`geo.postbox.add_placements` returned. Afterwards the database
must pass ``PRAGMA integrity_check``, every acknowledged placement must be in it, nothing
may be in it that was never attempted, and the killed writer's batches are whole or absent.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo.postbox import Placement, add_placement, add_placements, read_placements

FORK = mp.get_context("fork")
fork_ok = pytest.mark.filterwarnings("ignore:.*fork\\(\\) may lead to deadlocks:DeprecationWarning")

START = date(2019, 1, 7)
WRITERS, PER_WRITER, BATCH = 3, 15, 3


def _placement(box: str, k: int) -> Placement:
    day = START + timedelta(days=7 * k)
    return Placement(
        site_id=f"site-{k % 4}", from_date=day, to_date=day + timedelta(days=6), slips=k, box_id=box
    )


def _ack(path: Path, items: list[Placement]) -> None:
    with path.open("a") as fh:
        for p in items:
            fh.write(f"{p.box_id} {p.from_date.isoformat()}\n")
        fh.flush()
        os.fsync(fh.fileno())


def _writer(db: str, acks: str, box: str, go: object) -> None:
    go.wait()  # type: ignore[attr-defined]
    for k in range(PER_WRITER):
        p = _placement(box, k)
        add_placement(Path(db), p)
        _ack(Path(acks), [p])
    os._exit(0)


def _victim(db: str, acks: str, go: object, inside: object) -> None:
    """Writes batches of BATCH; in its fourth batch it stops after two rows, lock held."""
    go.wait()  # type: ignore[attr-defined]
    for b in range(100):
        items = [_placement("victim", b * BATCH + j) for j in range(BATCH)]

        def hook(rows: int, b: int = b) -> None:
            if b == 3 and rows == 2:
                inside.set()  # type: ignore[attr-defined]
                time.sleep(120)

        add_placements(Path(db), items, on_row=hook)
        _ack(Path(acks), items)
    os._exit(0)


def _lines(path: Path) -> set[str]:
    return set(path.read_text().split("\n")) - {""} if path.exists() else set()


@fork_ok
def test_writers_and_a_killed_writer_lose_no_acknowledged_placement(tmp_path: Path):
    db = tmp_path / "log.sqlite"
    add_placement(db, _placement("setup", 0))  # the schema exists before the race
    go, inside = FORK.Event(), FORK.Event()
    acks = {f"W{i}": tmp_path / f"W{i}.acks" for i in range(WRITERS)}
    victim_acks = tmp_path / "victim.acks"
    procs = [
        FORK.Process(target=_writer, args=(str(db), str(path), box, go))
        for box, path in acks.items()
    ]
    victim = FORK.Process(target=_victim, args=(str(db), str(victim_acks), go, inside))
    for p in [*procs, victim]:
        p.start()
    go.set()
    assert inside.wait(60), "the victim never reached the middle of a batch"
    assert victim.pid is not None
    os.kill(victim.pid, signal.SIGKILL)  # mid-transaction, holding the write lock
    victim.join(60)
    for p in procs:
        p.join(120)
    assert victim.exitcode == -signal.SIGKILL
    assert [p.exitcode for p in procs] == [0] * WRITERS

    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    log = read_placements(db)
    present = {f"{r.box_id} {r.from_date:%Y-%m-%d}" for r in log.itertuples()}
    acknowledged = set().union(*(_lines(p) for p in acks.values())) | _lines(victim_acks)
    assert len(acknowledged) == WRITERS * PER_WRITER + 3 * BATCH
    assert acknowledged <= present
    attempted = {
        f"W{i} {_placement('x', k).from_date.isoformat()}"
        for i in range(WRITERS)
        for k in range(PER_WRITER)
    }
    attempted |= {f"victim {_placement('x', k).from_date.isoformat()}" for k in range(100 * BATCH)}
    attempted.add(f"setup {START.isoformat()}")
    assert present <= attempted
    victim_rows = sorted(log.loc[log["box_id"] == "victim", "slips"])
    assert victim_rows == list(range(3 * BATCH))  # three whole batches, the fourth absent
    assert log["placement_id"].is_unique
