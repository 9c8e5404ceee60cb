"""The dask engine gives the default engine's result: shipped data, many wards, bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.affinity import translate

from geo import columns as c
from geo.cli.main import main
from geo.engines import DaskCluster, run_source_dask, run_source_with
from geo.errors import ValidationError
from geo.pipeline import run_source
from geo.source import DataSource
from geo.staff.export import hotspots_csv, rejected_csv
from tests.helpers import X0, Y0, local_csv_bytes, make_two_wards, unit_settings

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    """A running in-process cluster of two single-threaded workers (as --scheduler uses)."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        dashboard_address=":0",
        silence_logs=50,
    )
    yield cluster.scheduler_address
    cluster.close()


def _same(a, b):
    assert hotspots_csv(a) == hotspots_csv(b)
    assert rejected_csv(a) == rejected_csv(b)
    assert a.counts == b.counts
    assert a.notes == b.notes
    assert a.inputs == b.inputs
    assert a.summary() == b.summary()
    pd.testing.assert_frame_equal(pd.DataFrame(a.hotspots), pd.DataFrame(b.hotspots))
    pd.testing.assert_frame_equal(pd.DataFrame(a.incidents), pd.DataFrame(b.incidents))
    pd.testing.assert_frame_equal(a.rejected, b.rejected)
    assert a.hotspots.crs == b.hotspots.crs


def test_shipped_data_gives_the_default_result(scheduler):
    default = run_source()
    dask = run_source_dask(cluster=DaskCluster(scheduler=scheduler))
    assert len(default.hotspots) > 10 and len(default.rejected) > 0
    _same(default, dask)


def test_cli_writes_byte_identical_hotspots_csv(tmp_path, scheduler, capsys):
    assert main(["hotspots", "--out", str(tmp_path / "a"), "--no-progress"]) == 0
    args = ["hotspots", "--engine", "dask", "--scheduler", scheduler, "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    for name in ("hotspots.csv", "rejected.csv", "summary.json", "hotspots.geojson"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("3,707 rows read")


def _six_wards(path: Path) -> Path:
    """Six 1 km wards: the two test wards and four copies to the north (codes in order)."""
    base = make_two_wards()
    frames = []
    for k in range(3):
        w = base.copy()
        w[c.WARD_CODE] = [f"E0500001{2 * k}", f"E0500001{2 * k + 1}"]
        w[c.WARD_NAME] = [f"West {k}", f"East {k}"]
        w["geometry"] = [translate(g, 0, 1000 * k) for g in base.geometry]
        frames.append(w)
    wards = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=base.crs)
    out = path / "wards.geojson"
    wards.rename(columns={c.WARD_CODE: "WD18CD", c.WARD_NAME: "WD18NM"}).to_file(out)
    return out


def _month_rows(month: int, rng: np.random.Generator) -> list[dict[str, object]]:
    """A month of local rows: groups in every ward, scatter, edges, outside, bad rows."""
    rows: list[dict[str, object]] = []
    cats = ["drugs", "asb", "burglary", "vehicle"]

    def add(x: float, y: float, cat: str, date: str | None = None) -> None:
        rows.append(
            dict(
                id=f"m{month}-{len(rows)}",
                date=date or f"2018-{month:02d}-{1 + len(rows) % 27:02d}",
                category=cat,
                easting=round(x, 1),
                northing=round(y, 1),
                source="resident",
            )
        )

    for ward in range(6):
        x0, y0 = X0 + 1000 * (ward % 2), Y0 + 1000 * (ward // 2)
        for _ in range(3):  # small groups at shared points, some busy
            cx, cy = x0 + rng.uniform(100, 900), y0 + rng.uniform(100, 900)
            for _ in range(int(rng.integers(2, 9))):
                add(
                    cx + rng.choice([0, 0, 15, 30]), cy + rng.choice([0, 15]), str(rng.choice(cats))
                )
        for _ in range(15):  # scatter
            add(x0 + rng.uniform(0, 1000), y0 + rng.uniform(0, 1000), str(rng.choice(cats)))
    add(X0 + 1000, Y0 + 1500, "asb")  # on a shared edge
    add(X0 + 5000, Y0 + 500, "asb")  # outside every ward
    add(X0 + 200, Y0 + 200, "drugs", date="not a date")  # invalid
    add(X0 + 300, Y0 + 300, "unknown thing")  # unknown category
    return rows


def test_many_wards_and_files_give_the_default_result(tmp_path, scheduler):
    rng = np.random.default_rng(7)
    uploads = tuple(
        (f"2018-{m:02d}-local.csv", local_csv_bytes(_month_rows(m, rng))) for m in range(1, 9)
    )
    source = DataSource.from_files(uploads, _six_wards(tmp_path))
    settings = unit_settings(eps_m=40, min_samples=5).replace(trend_months=3)
    default = run_source(source, settings)
    dask = run_source_with("dask", source, settings, cluster=DaskCluster(scheduler=scheduler))
    assert default.hotspots[c.WARD_CODE].nunique() >= 4
    assert set(default.rejected["stage"]) == {"invalid", "outside_wards"}
    assert (default.hotspots[c.TREND] != "n/a").all()
    _same(default, dask)
    # the same with the month filter (filtered rows, a shorter window)
    since = settings.replace(since="2018-03", include=("drugs", "asb", "burglary"))
    _same(
        run_source(source, since),
        run_source_dask(source, since, cluster=DaskCluster(scheduler=scheduler)),
    )


def test_incidents_can_stay_on_the_workers(scheduler):
    default = run_source()
    light = run_source_dask(cluster=DaskCluster(scheduler=scheduler), keep_incidents=False)
    assert hotspots_csv(light) == hotspots_csv(default)
    assert light.counts == default.counts
    assert len(light.incidents) == 0
    assert list(light.incidents.columns) == list(default.incidents.columns)


def test_an_id_in_two_files_is_refused_in_one_line(tmp_path, scheduler):
    row = dict(id="same", date="2018-06-01", category="drugs", easting=X0 + 10, northing=Y0 + 10)
    wards = tmp_path / "w.geojson"
    make_two_wards().rename(columns={c.WARD_CODE: "WD18CD", c.WARD_NAME: "WD18NM"}).to_file(wards)
    source = DataSource.from_files(
        [("a.csv", local_csv_bytes([row])), ("b.csv", local_csv_bytes([row, {**row, "id": "x"}]))],
        wards,
    )
    with pytest.raises(ValidationError, match=r"b\.csv: repeats an incident id of a\.csv"):
        run_source_dask(source, cluster=DaskCluster(scheduler=scheduler))


def test_an_unreachable_scheduler_exits_2_with_one_line(tmp_path, capsys):
    code = main(
        ["hotspots", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: dask scheduler tcp://127.0.0.1:9: cannot connect")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2"], "--workers: only with --engine dask"),
        (["--engine", "dask", "--workers", "0"], "--workers must be a whole number >= 1"),
        (["--engine", "dask", "--memory-limit", "lots"], "--memory-limit must be a size"),
        (
            ["--engine", "dask", "--scheduler", "tcp://h:1", "--workers", "2"],
            "--workers and --memory-limit start a local cluster",
        ),
    ],
)
def test_bad_engine_options_exit_2(tmp_path, capsys, args, message):
    assert main(["hotspots", *args, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="The 'engine' argument must be one of default, dask"):
        run_source_with("spark")
