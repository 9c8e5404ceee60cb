"""police.uk zip archives as downloaded: layout, skipped members, forces, far rows, bad zips."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geo import columns as c
from geo.cli.main import main
from geo.errors import ValidationError
from geo.io import incident_uploads, load_incidents
from geo.io.archives import (
    FAR_REASON,
    READ_SKIPPED,
    ArchiveReader,
    lonlat_extent,
    normalise_forces,
    set_aside_rows,
)
from geo.pipeline import run_files
from tests.helpers import DATA, make_two_wards

SHIPPED = sorted((DATA / "incidents").glob("*.csv"))
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)


def police_row(crime_id: str, lon: str, lat: str, crime: str = "Drugs") -> str:
    """One police.uk street-level line for June 2018."""
    return f"{crime_id},2018-06,F,F,{lon},{lat},On or near X,E01,L,{crime},,\n"


def member(month: str, force: str, kind: str) -> str:
    return f"{month}/{month}-{force}-{kind}.csv"


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def shipped_archive(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped street CSVs as a police.uk archive (with outcomes and stop-and-search
    members beside them), and the same street files unpacked into a folder."""
    root = tmp_path_factory.mktemp("archive")
    unpacked = root / "unpacked"
    unpacked.mkdir()
    members: dict[str, bytes | str] = {}
    for f in SHIPPED:
        month = f.name[:7]
        data = f.read_bytes()
        members[member(month, "thames-valley", "street")] = data
        members[member(month, "thames-valley", "outcomes")] = "Crime ID,Month,Outcome type\n"
        members[member(month, "thames-valley", "stop-and-search")] = "Type,Date,Gender\n"
        (unpacked / f"{month}-thames-valley-street.csv").write_bytes(data)
    return {"zip": write_zip(root / "2018-11.zip", members), "unpacked": unpacked}


def run_cli(args: list[str], out: Path) -> dict[str, object]:
    assert main(["hotspots", *args, "--out", str(out), "--no-progress"]) == 0
    summary: dict[str, object] = json.loads((out / "summary.json").read_text())
    return summary


def test_archive_gives_the_counts_hotspots_and_rejected_rows_of_the_unpacked_files(
    shipped_archive, tmp_path
):
    from_zip = run_cli([str(shipped_archive["zip"])], tmp_path / "zip")
    from_csv = run_cli([str(shipped_archive["unpacked"])], tmp_path / "csv")
    assert from_zip["counts"] == from_csv["counts"]
    assert from_zip["counts"]["hotspots"] > 0  # type: ignore[index]
    for name in ("hotspots.csv", "rejected.csv"):
        assert (tmp_path / "zip" / name).read_bytes() == (tmp_path / "csv" / name).read_bytes()
    inputs_zip, inputs_csv = from_zip["inputs"], from_csv["inputs"]
    assert inputs_zip["incident_files"] == inputs_csv["incident_files"]  # type: ignore[index]


def test_skipped_members_are_counted_and_named(shipped_archive, tmp_path, capsys):
    summary = run_cli([str(shipped_archive["zip"])], tmp_path / "zip")
    skipped = summary["inputs"]["skipped_members"]  # type: ignore[index]
    assert len(skipped) == 2 * len(SHIPPED)
    assert "2018-11.zip: 2018-06/2018-06-thames-valley-outcomes.csv (outcomes" in skipped[6]
    assert any("stop-and-search.csv (stop and search" in s for s in skipped)
    printed = capsys.readouterr().out
    assert (
        f"2018-11.zip: {len(SHIPPED)} street-level file(s) read, {2 * len(SHIPPED)} members "
        f"skipped ({len(SHIPPED)} outcomes" in printed
    )
    assert any("skipped" in n for n in summary["notes"])  # type: ignore[attr-defined]


def test_force_filter_keeps_only_the_forces_named(shipped_archive, tmp_path):
    other = "".join(police_row(f"met{i}", "-1.2150", "51.7190") for i in range(3))
    members: dict[str, bytes | str] = {}
    with zipfile.ZipFile(shipped_archive["zip"]) as z:
        for info in z.infolist():
            members[info.filename] = z.read(info)
    members[member("2018-06", "metropolitan", "street")] = HEADER + other
    both = write_zip(tmp_path / "both.zip", members)
    everything = run_cli([str(both)], tmp_path / "all")
    only_tv = run_cli([str(both), "--force", "thames-valley"], tmp_path / "tv")
    plain = run_cli([str(shipped_archive["zip"])], tmp_path / "plain")
    assert everything["counts"]["rows_read"] == plain["counts"]["rows_read"] + 3  # type: ignore[index]
    assert only_tv["counts"] == plain["counts"]
    assert (tmp_path / "tv" / "hotspots.csv").read_bytes() == (
        tmp_path / "plain" / "hotspots.csv"
    ).read_bytes()
    assert (
        "both.zip: 2018-06/2018-06-metropolitan-street.csv (force not selected)"
        in only_tv["inputs"]["skipped_members"]  # type: ignore[index]
    )
    # a force name as people write it is the same force
    assert normalise_forces(["Thames Valley", "thames-valley", " METROPOLITAN "]) == (
        "thames-valley",
        "metropolitan",
    )


def test_unknown_force_names_the_forces_in_the_archive(shipped_archive, tmp_path, capsys):
    args = ["hotspots", str(shipped_archive["zip"]), "--force", "thames-vally"]
    code = main([*args, "--no-progress", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "2018-11.zip: no street-level files for force thames-vally" in err
    assert "(forces in the archive: thames-valley)" in err


def test_force_name_with_odd_characters_is_refused():
    with pytest.raises(ValidationError, match="--force 'thames/valley': expected a police.uk"):
        normalise_forces(["thames/valley"])


def test_rows_far_outside_the_wards_are_set_aside_when_read_and_reconcile(tmp_path):
    wards = make_two_wards()
    x0, y0, x1, y1 = lonlat_extent(wards) or (0.0, 0.0, 0.0, 0.0)
    inside_lon, inside_lat = f"{(x0 + x1) / 2:.6f}", f"{(y0 + y1) / 2:.6f}"
    near_lon = f"{x1 + 0.02:.6f}"  # outside the wards but not far: an ordinary rejection
    lines = [
        police_row("a", inside_lon, inside_lat),
        police_row("b", "-0.1276", "51.5072"),  # London: far
        police_row("c", near_lon, inside_lat),
        police_row("d", "", ""),  # no coordinates: validation says so
        police_row("e", inside_lat, inside_lon),  # swapped: validation says so
        police_row("f", "-3.1791", "51.4816"),  # Cardiff: far
    ]
    archive = write_zip(
        tmp_path / "a.zip", {member("2018-06", "thames-valley", "street"): HEADER + "".join(lines)}
    )
    wards_file = tmp_path / "wards.geojson"
    wards.to_file(wards_file, driver="GeoJSON")
    result = run_files([archive], wards_file, code_col=c.WARD_CODE, name_col=c.WARD_NAME)
    n = result.counts
    assert n.rows_read == 6 == n.accepted + n.rejected
    assert n.accepted == 1
    by_row = dict(zip(result.rejected[c.ROW], result.rejected[c.REASON], strict=True))
    assert by_row[3] == by_row[7] == FAR_REASON
    assert by_row[4] == "outside every ward in the boundary file"
    assert by_row[5].startswith("missing coordinates")
    assert "look swapped" in by_row[6]
    stages = dict(zip(result.rejected[c.ROW], result.rejected[c.STAGE], strict=True))
    assert stages[3] == stages[7] == "outside_wards"
    # the reader alone: the far rows are not in the raw frame, and are kept with their rows
    raw = load_incidents([archive], extent=lonlat_extent(wards))
    assert list(raw[c.ROW]) == [2, 4, 5, 6]
    assert list(set_aside_rows(raw)[c.ROW]) == [3, 7]
    assert len(set_aside_rows(load_incidents([archive]))) == 0  # no extent: nothing set aside


def test_an_uploaded_archive_is_read_like_the_file(shipped_archive):
    data = shipped_archive["zip"].read_bytes()
    checked = incident_uploads([("2018-11.zip", data)])
    raw_upload = load_incidents(checked)
    raw_file = load_incidents([shipped_archive["zip"]])
    pd.testing.assert_frame_equal(raw_upload, raw_file)
    assert len(raw_upload.attrs[READ_SKIPPED]) == 2 * len(SHIPPED)


def test_the_same_member_in_two_archives_is_read_once(shipped_archive, tmp_path):
    first = SHIPPED[0]
    month = first.name[:7]
    again = write_zip(
        tmp_path / "again.zip", {member(month, "thames-valley", "street"): first.read_bytes()}
    )
    raw = load_incidents([shipped_archive["zip"], again])
    once = load_incidents([shipped_archive["zip"]])
    assert len(raw) == len(once)
    assert any("is also in 2018-11.zip: read once" in n for n in raw.attrs["read_notes"])


def test_a_loose_file_and_the_same_member_of_an_archive_are_read_once(shipped_archive, tmp_path):
    """A month downloaded on its own and again inside an archive: its anti-social behaviour
    rows (no Crime ID) would otherwise be counted twice, in whichever order they come."""
    first = SHIPPED[0]
    loose = tmp_path / first.name
    loose.write_bytes(first.read_bytes())
    once = load_incidents([shipped_archive["zip"]])
    for order in ([loose, shipped_archive["zip"]], [shipped_archive["zip"], loose]):
        raw = load_incidents(order)
        assert len(raw) == len(once)
        member_name = member(first.name[:7], "thames-valley", "street")
        assert (
            f"2018-11.zip: {member_name} has the same contents as {loose}: read once"
            in (raw.attrs["read_notes"])
        )
    # the same month uploaded beside the archive upload
    uploads = [(first.name, first.read_bytes()), ("a.zip", shipped_archive["zip"].read_bytes())]
    raw = load_incidents(uploads)
    assert len(raw) == len(once)
    # a loose file that differs by one byte is a different file: both are read
    changed = tmp_path / "changed.csv"
    changed.write_bytes(first.read_bytes().replace(b"2018-", b"2019-", 1))
    assert len(load_incidents([changed, shipped_archive["zip"]])) > len(once)


# --- bad archives: every case exits 2 with the file and member named -----------------------


def bad_archive_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    street = member("2018-06", "thames-valley", "street")
    good = HEADER + police_row("a", "-1.2150", "51.7190")
    not_zip = tmp_path / "notzip.zip"
    not_zip.write_text("Crime ID,Month\n")
    no_street = write_zip(
        tmp_path / "nostreet.zip",
        {member("2018-06", "thames-valley", "outcomes"): "Crime ID\n"},
    )
    not_csv = write_zip(tmp_path / "notcsv.zip", {street: good, "2018-06/readme.pdf": b"%PDF"})
    dotdot = write_zip(tmp_path / "dotdot.zip", {street: good, "../../evil.csv": good})
    absolute = write_zip(tmp_path / "absolute.zip", {street: good, "/etc/evil.csv": good})
    binary = write_zip(tmp_path / "binary.zip", {street: b"\x00\x01PK\x00" * 50})
    ragged = write_zip(tmp_path / "ragged.zip", {street: HEADER + ",".join("x" * 15) + "\n"})
    return [
        (not_zip, "notzip.zip: not a zip archive"),
        (no_street, "nostreet.zip: no street-level crime files"),
        (not_csv, "notcsv.zip: member '2018-06/readme.pdf' is not a CSV file"),
        (dotdot, "dotdot.zip: member '../../evil.csv' has a path outside the archive"),
        (absolute, "absolute.zip: member '/etc/evil.csv' has a path outside the archive"),
        (
            binary,
            "binary.zip: member '2018-06/2018-06-thames-valley-street.csv': not a CSV text "
            "file (it contains binary data)",
        ),
        (
            ragged,
            "ragged.zip: member '2018-06/2018-06-thames-valley-street.csv': not a readable CSV",
        ),
    ]


@pytest.mark.parametrize(
    "case", ["notzip", "nostreet", "notcsv", "dotdot", "absolute", "binary", "ragged"]
)
def test_bad_archive_exits_2_naming_the_file_and_member(case, tmp_path, capsys):
    cases = {p.stem: (p, msg) for p, msg in bad_archive_cases(tmp_path)}
    path, message = cases[case]
    code = main(["hotspots", str(path), "--no-progress", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert not (tmp_path / "out" / "hotspots.csv").exists()


def test_archive_that_would_unpack_beyond_the_limit_is_refused(tmp_path, monkeypatch, capsys):
    street = member("2018-06", "thames-valley", "street")
    big = HEADER + police_row("a", "-1.2150", "51.7190") * 2000  # about 100 kB unpacked
    archive = write_zip(tmp_path / "big.zip", {street: big})
    with pytest.raises(
        ValidationError,
        match=r"big.zip: the members would unpack to 1\d\d\.\d kB, over the 50.0 kB",
    ):
        list(ArchiveReader(max_bytes=50_000).read(archive))
    assert len(list(ArchiveReader(max_bytes=200_000).read(archive))) == 1
    monkeypatch.setattr("geo.io.archives.ARCHIVE_MAX_BYTES", 50_000)
    code = main(["hotspots", str(archive), "--no-progress", "--out", str(tmp_path / "out")])
    assert code == 2
    assert "over the 50.0 kB limit for one archive" in capsys.readouterr().err


def test_corrupt_member_names_the_member(tmp_path):
    street = member("2018-06", "thames-valley", "street")
    archive = write_zip(tmp_path / "corrupt.zip", {street: HEADER * 200})
    data = bytearray(archive.read_bytes())
    at = data.index(b"street.csv") + len(b"street.csv") + 20  # inside the compressed data
    data[at : at + 8] = b"\xff" * 8
    archive.write_bytes(bytes(data))
    with pytest.raises(ValidationError, match=r"corrupt.zip: member '2018-06/.*street.csv'"):
        load_incidents([archive])


def test_a_zip_upload_that_is_not_a_zip_is_refused():
    with pytest.raises(ValidationError, match="x.zip: not a zip archive"):
        incident_uploads([("x.zip", b"Crime ID,Month\n")])
