"""The placement log: validation, transactions, concurrent writers and killed writers."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.errors import ValidationError
from geo.postbox import (
    PLACEMENT_COLUMNS,
    Placement,
    add_placement,
    add_placements,
    data_path,
    delete_placement,
    open_log,
    placement_from_text,
    read_placements,
)

FORK = mp.get_context("fork")
# Python 3.12+ warns when forking a process that runs threads; the children here only use
# sqlite3 and exit, so the warning does not apply.
fork_ok = pytest.mark.filterwarnings("ignore:.*fork\\(\\) may lead to deadlocks:DeprecationWarning")

D = date(2018, 11, 1)


def pl(site: str = "a", start: date = D, days: int = 7, slips: int = 3, box: str = "box-1"):
    return Placement(
        site_id=site,
        from_date=start,
        to_date=start + timedelta(days=days - 1),
        slips=slips,
        box_id=box,
    )


def count_rows(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute("SELECT count(*) FROM placements").fetchone()[0])
    finally:
        con.close()


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


# --- creating, writing, reading ------------------------------------------------------------
def test_missing_log_reads_empty_and_is_not_created(tmp_path):
    db = tmp_path / "placements.sqlite"
    log = read_placements(db)
    assert list(log.columns) == list(PLACEMENT_COLUMNS)
    assert len(log) == 0
    assert log["from_date"].dtype == "datetime64[ns]"
    assert not db.exists()


def test_first_write_creates_a_wal_log_and_reads_back_exactly(tmp_path):
    db = tmp_path / "placements.sqlite"
    pid = add_placement(db, pl("littlemore-church", slips=4), known_sites={"littlemore-church"})
    assert pid == 1
    con = open_log(db)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        con.close()
    log = read_placements(db)
    assert len(log) == 1
    row = log.iloc[0]
    assert row["placement_id"] == 1
    assert row["site_id"] == "littlemore-church"
    assert row["box_id"] == "box-1"
    assert row["from_date"] == pd.Timestamp("2018-11-01")
    assert row["to_date"] == pd.Timestamp("2018-11-07")
    assert row["slips"] == 4
    assert row["note"] == ""
    assert log["slips"].dtype == "int64"


def test_log_is_sorted_by_date_and_ids_increase(tmp_path):
    db = tmp_path / "p.sqlite"
    ids = [
        add_placement(db, pl("b", D + timedelta(days=14))),
        add_placement(db, pl("a", D)),
    ]
    assert ids == [1, 2]
    log = read_placements(db)
    assert list(log["site_id"]) == ["a", "b"]
    assert list(log["placement_id"]) == [2, 1]


def test_adjacent_weeks_and_other_boxes_do_not_overlap(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("a", D))
    add_placement(db, pl("b", D + timedelta(days=7)))  # starts the day after the first ends
    add_placement(db, pl("c", D, box="box-2"))  # a second box may stand elsewhere meanwhile
    assert count_rows(db) == 3


# --- refusing bad entries ------------------------------------------------------------------
@pytest.mark.parametrize(
    "fields, message",
    [
        (
            dict(from_date="2018-11-07", to_date="2018-11-01", slips="3"),
            "to date 2018-11-01 is before from date 2018-11-07.",
        ),
        (
            dict(from_date="2018-11-01", to_date="2018-11-07", slips="-2"),
            "slips must be a whole number >= 0. Got '-2'.",
        ),
        (
            dict(from_date="2018-11-01", to_date="2018-11-07", slips="many"),
            "slips must be a whole number >= 0. Got 'many'.",
        ),
        (
            dict(from_date="2018-13-01", to_date="2018-11-07", slips="1"),
            "from date '2018-13-01' is not a date YYYY-MM-DD",
        ),
        (
            dict(from_date="1/11/2018", to_date="2018-11-07", slips="1"),
            "from date '1/11/2018' is not a date YYYY-MM-DD",
        ),
    ],
)
def test_bad_entries_are_refused_with_a_clear_message(fields, message):
    with pytest.raises(ValidationError) as err:
        placement_from_text(site_id="a", **fields)
    assert err.value.problems == [message]


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as err:
        placement_from_text(site_id="a", from_date="x", to_date="2018-02-30", slips="-1")
    assert err.value.problems == [
        "from date 'x' is not a date YYYY-MM-DD",
        "to date '2018-02-30' is not a date YYYY-MM-DD",
        "slips must be a whole number >= 0. Got '-1'.",
    ]


def test_placement_checks_types_ids_and_years():
    with pytest.raises(ValidationError, match="slips must be a whole number"):
        Placement("a", D, D, slips=True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="site_id must be 1-40 letters"):
        Placement("a b", D, D, slips=1)
    with pytest.raises(ValidationError, match="outside the years 2000-2100"):
        Placement("a", date(1999, 1, 1), D, slips=1)
    with pytest.raises(ValidationError, match="from_date must be a date"):
        Placement("a", "2018-11-01", D, slips=1)  # type: ignore[arg-type]


def test_unknown_site_is_refused_and_nothing_written(tmp_path):
    db = tmp_path / "p.sqlite"
    with pytest.raises(ValidationError) as err:
        add_placement(db, pl("nowhere"), known_sites={"a", "b"})
    assert err.value.problems == ["unknown site 'nowhere' (not in the sites list)"]
    assert read_placements(db).empty


def test_overlapping_placement_of_the_same_box_is_refused(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("a", D))
    with pytest.raises(ValidationError) as err:
        add_placement(db, pl("b", D + timedelta(days=6)))
    assert err.value.problems == [
        "box-1 cannot be at b from 2018-11-07 to 2018-11-13: it was at a from 2018-11-01 "
        "to 2018-11-07 (placement #1)"
    ]
    assert count_rows(db) == 1


def test_a_batch_is_all_or_nothing(tmp_path):
    db = tmp_path / "p.sqlite"
    batch = [pl("a", D), pl("b", D + timedelta(days=7)), pl("c", D + timedelta(days=10))]
    with pytest.raises(ValidationError) as err:
        add_placements(db, batch)
    assert err.value.problems == [
        "placement 3: box-1 cannot be at c from 2018-11-11 to 2018-11-17: it was at b from "
        "2018-11-08 to 2018-11-14 (placement #2)"
    ]
    assert count_rows(db) == 0


def test_the_database_itself_refuses_bad_rows(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("a"))
    con = sqlite3.connect(db)
    try:
        insert = (
            "INSERT INTO placements (site_id, box_id, from_date, to_date, slips, note, "
            "logged_at) VALUES (?, ?, ?, ?, ?, '', 'now')"
        )
        for row in [
            ("a", "box-1", "2019-01-01", "2019-01-07", -1),
            ("a", "box-1", "2019-01-07", "2019-01-01", 1),
            ("a", "box-1", "7 Jan 2019", "2019-01-08", 1),
            ("a", "box-1", "2019-01-01", "2019-01-07", "three"),
        ]:
            with pytest.raises(sqlite3.IntegrityError):
                con.execute(insert, row)
    finally:
        con.close()
    assert count_rows(db) == 1


def test_delete_corrects_a_mistake_and_refuses_unknown_ids(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("a"))
    delete_placement(db, 1)
    assert count_rows(db) == 0
    with pytest.raises(ValidationError, match="there is no placement #1"):
        delete_placement(db, 1)


def test_a_file_that_is_not_a_log_is_refused(tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_bytes(b"this is not a database, just some text" * 100)
    with pytest.raises(ValidationError, match="not a usable placement log"):
        read_placements(bad)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE people (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(ValidationError, match="not a placement log .*people"):
        add_placement(other, pl("a"))


# --- paths from users stay in the data folder ------------------------------------------------
def test_data_path_keeps_user_paths_inside_the_data_folder(tmp_path):
    base = tmp_path / "data"
    base.mkdir()
    assert data_path("log.sqlite", base=base) == (base / "log.sqlite").resolve()
    assert data_path(base / "sub" / "x.db", base=base) == (base / "sub" / "x.db").resolve()
    for bad in ["../log.sqlite", "/etc/log.sqlite", str(tmp_path / "log.sqlite")]:
        with pytest.raises(ValidationError, match="must be inside the data folder"):
            data_path(bad, base=base)
    with pytest.raises(ValidationError, match="must end in .sqlite or .db"):
        data_path("log.txt", base=base)
    (base / "escape.sqlite").symlink_to(tmp_path / "elsewhere.sqlite")
    with pytest.raises(ValidationError, match="must be inside the data folder"):
        data_path("escape.sqlite", base=base)


# --- concurrency and crashes (real processes) --------------------------------------------------
def _writer(db: str, box: str, n: int, go: object) -> None:
    go.wait()  # type: ignore[attr-defined]
    for i in range(n):
        add_placement(Path(db), pl(f"s{i}", D + timedelta(days=7 * i), slips=i, box=box))


@fork_ok
def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("first", date(2017, 1, 1)))  # the schema exists before the race
    n = 25
    go = FORK.Event()
    procs = [FORK.Process(target=_writer, args=(str(db), box, n, go)) for box in ("A", "B")]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    log = read_placements(db)
    assert len(log) == 1 + 2 * n
    assert log["placement_id"].is_unique
    for box in ("A", "B"):
        mine = log.loc[log["box_id"] == box].sort_values("from_date")
        assert list(mine["slips"]) == list(range(n))
    assert integrity(db) == "ok"


def _claim(db: str, go: object) -> None:
    go.wait()  # type: ignore[attr-defined]
    try:
        add_placement(Path(db), pl("same-week", D))
    except ValidationError:
        os._exit(3)
    os._exit(0)


@fork_ok
def test_two_processes_claiming_the_same_week_get_one_row(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("earlier", date(2017, 1, 1)))
    go = FORK.Event()
    procs = [FORK.Process(target=_claim, args=(str(db), go)) for _ in range(2)]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(60)
    assert sorted(p.exitcode for p in procs) == [0, 3]
    assert count_rows(db) == 2


def _die_mid_batch(db: str) -> None:
    def crash(rows_written: int) -> None:
        if rows_written == 2:
            os._exit(1)  # no rollback, no close: as if the process crashed

    add_placements(
        Path(db), [pl(f"x{i}", D + timedelta(days=7 * i)) for i in range(5)], on_row=crash
    )


def _hang_mid_batch(db: str, inside: object) -> None:
    def hang(rows_written: int) -> None:
        if rows_written == 3:
            inside.set()  # type: ignore[attr-defined]
            time.sleep(60)

    add_placements(
        Path(db), [pl(f"y{i}", D + timedelta(days=7 * i)) for i in range(5)], on_row=hang
    )


def _check_after_crash(db: Path) -> None:
    log = read_placements(db)
    assert list(log["site_id"]) == ["kept"]
    assert integrity(db) == "ok"
    # the lock died with the process: the next writer gets straight in
    t0 = time.monotonic()
    add_placement(db, pl("after", D))
    assert time.monotonic() - t0 < 10
    assert list(read_placements(db)["site_id"]) == ["kept", "after"]


@fork_ok
def test_a_process_exiting_mid_transaction_leaves_the_log_consistent(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("kept", date(2017, 1, 1)))
    p = FORK.Process(target=_die_mid_batch, args=(str(db),))
    p.start()
    p.join(60)
    assert p.exitcode == 1
    _check_after_crash(db)


@fork_ok
def test_a_process_killed_mid_transaction_leaves_the_log_consistent(tmp_path):
    db = tmp_path / "p.sqlite"
    add_placement(db, pl("kept", date(2017, 1, 1)))
    inside = FORK.Event()
    p = FORK.Process(target=_hang_mid_batch, args=(str(db), inside))
    p.start()
    assert inside.wait(60), "the writer never reached the middle of its transaction"
    assert p.pid is not None
    os.kill(p.pid, signal.SIGKILL)
    p.join(60)
    assert p.exitcode == -signal.SIGKILL
    _check_after_crash(db)


# --- command line ----------------------------------------------------------------------------
def test_cli_logs_lists_and_refuses(tmp_path, capsys):
    base = ["postbox", "log", "--data-dir", str(tmp_path)]
    entry = ["--site", "littlemore-church", "--from", "2018-11-01", "--to", "2018-11-07"]
    assert main([*base, *entry, "--slips", "4", "--note", "by the door"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("logged placement #1: box-1 at littlemore-church 2018-11-01 to ")
    assert (tmp_path / "placements.sqlite").is_file()
    assert main([*base, "--list"]) == 0
    # the site's name as people say it, with the id --site takes
    assert capsys.readouterr().out == (
        "#1 box-1 at St Mary and St Nicholas Church, Littlemore [littlemore-church] "
        "2018-11-01 to 2018-11-07: 4 slips  (by the door)\n"
    )
    # a site since taken off the sites list keeps its id, and says so
    other = tmp_path / "sites.csv"
    other.write_text(
        "site_id,name,kind,longitude,latitude\nshop,Corner shop,shop,-1.21,51.73\n",
        encoding="utf-8",
    )
    assert main([*base, "--sites", str(other), "--list"]) == 0
    assert capsys.readouterr().out.startswith(
        "#1 box-1 at littlemore-church (not in the sites list) 2018-11-01"
    )
    # the same box in the same week again
    assert main([*base, *entry, "--slips", "1"]) == 2
    assert "cannot be at littlemore-church" in capsys.readouterr().err
    # unknown site, negative slips, missing options, a path outside the data folder
    bad_site = ["--site", "nowhere", "--from", "2018-12-01", "--to", "2018-12-07"]
    assert main([*base, *bad_site, "--slips", "1"]) == 2
    assert "unknown site 'nowhere'" in capsys.readouterr().err
    assert main([*base, *entry, "--slips", "-3"]) == 2
    assert "slips must be a whole number >= 0. Got '-3'." in capsys.readouterr().err
    assert main([*base, "--site", "littlemore-church"]) == 2
    assert "needs --from, --to, --slips" in capsys.readouterr().err
    assert main([*base, "--db", "../elsewhere.sqlite", "--list"]) == 2
    assert "must be inside the data folder" in capsys.readouterr().err
    assert len(read_placements(tmp_path / "placements.sqlite")) == 1
