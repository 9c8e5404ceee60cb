"""Fuzzing the command line in-process: any argument list exits 0, or 2 with one line."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.cli import main as cli_main
from tests.fuzz.contract import fuzz_settings
from tests.helpers import X0, Y0, group_rows, local_csv_bytes, make_two_wards


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Small inputs for the commands: good and bad incidents, wards, settings, a file."""
    d = tmp_path_factory.mktemp("cli_fuzz")
    (d / "inc.csv").write_bytes(local_csv_bytes(group_rows()))
    (d / "bad.csv").write_bytes(b"id,date,category,easting,northing\n1,2081-07-14,drugs,0,0\n")
    (d / "cp1252.csv").write_bytes("id,date,category\n1,2018-01-01,caf\xe9\n".encode("cp1252"))
    far = local_csv_bytes(
        [dict(id="f", date="2018-01-01", category="drugs", easting=X0, northing=Y0 + 500_000)]
    )
    (d / "far.csv").write_bytes(far)
    wards = make_two_wards().rename(columns={"ward_code": "WD23CD", "ward_name": "WD23NM"})
    wards.to_file(d / "wards.geojson", driver="GeoJSON")
    (d / "ok.toml").write_text("[clustering]\neps_m = 50\nmin_samples = 3\n")
    (d / "bool.toml").write_text("[clustering]\ntrend_months = true\n")
    (d / "ov.toml").write_text("[ward_overrides.E09999999]\neps_m = 100\n")
    (d / "a_file").write_text("not a folder")
    return {p.name: str(p) for p in d.iterdir()} | {"dir": str(d)}


_VALUES = {
    "--eps-m": ["50", "nan", "-1", "1e308", "0", "abc", "", "inf"],
    "--min-samples": ["3", "0", "-5", "1.5", "99999999999"],
    "--since": ["2018-06", "2018-13", "", "2081-01", "june"],
    "--until": ["2018-06", "2017-01", "x"],
    "--categories": ["drugs", "nope", ",,", "drugs,asb"],
    "--ward-code-col": ["geometry", "WD23CD", "nope", ""],
    "--ward-name-col": ["geometry", "WD23NM"],
    "--layer": ["wards", "nope"],
    "--config": ["ok.toml", "bool.toml", "ov.toml", "missing.toml", "inc.csv"],
    "--boundaries": ["wards.geojson", "inc.csv", "missing.gpkg"],
    "--generalise-m": ["nan", "10", "200"],
    "--title": ["<script>alert(1)</script>", "`${x}`"],
}


@st.composite
def argv(draw: st.DrawFn, files: dict[str, str]) -> list[str]:
    """A command, some options with hostile values, incident paths and an --out."""
    command = draw(st.sampled_from(["hotspots", "export-public", "hotspots", "nope"]))
    args = [command]
    for option in draw(st.lists(st.sampled_from(sorted(_VALUES)), max_size=4, unique=True)):
        if option in ("--generalise-m", "--title") and command != "export-public":
            continue
        value = draw(st.sampled_from(_VALUES[option]))
        args += [option, files.get(value, value)]
    names = ["inc.csv", "bad.csv", "cp1252.csv", "far.csv", "missing.csv", "dir"]
    incidents = draw(st.lists(st.sampled_from(names), max_size=2))
    if not incidents and "--boundaries" in args:
        incidents = ["inc.csv"]
    args += [files.get(n, n) for n in incidents]
    out = draw(st.sampled_from(["out", "a_file", "a_file/sub"]))
    args += ["--out", str(Path(files["dir"]) / out), "--no-progress"]
    return args


@fuzz_settings(scale=0.3)
@given(data=st.data())
def test_any_argument_list_exits_0_or_2_with_one_line(files: dict[str, str], data: st.DataObject):
    args = data.draw(argv(files))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = cli_main(args)
        except SystemExit as exc:  # argparse: usage errors exit 2, --help 0
            code = int(exc.code or 0)
    text = err.getvalue()
    assert code in (0, 2), (args, text)
    assert "unexpected failure" not in text and "Traceback" not in text, (args, text)
    if code == 2:
        lines = text.strip().splitlines()
        assert lines and ("error" in lines[-1]), (args, text)
        assert len(lines) <= 2, (args, text)  # argparse adds a usage line before its error
