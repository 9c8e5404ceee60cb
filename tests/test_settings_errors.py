"""A settings file with a misplaced or misspelt key says where it belongs or what was meant."""

from __future__ import annotations

import pytest

from geo.errors import ValidationError
from geo.settings_toml import load_settings, settings_from_toml

SECTIONS = (
    "The sections are [clustering], [filters], [categories.<key>], [aliases], "
    "[ward_overrides.<ward code>] and [public]."
)
CLUSTERING_TAKES = (
    "[clustering] takes eps_m, min_samples, min_samples_per_month, hull_buffer_m and trend_months."
)
CATEGORY_TAKES = "A category takes label, weight and group."
OVERRIDE_TAKES = "A ward override takes eps_m, min_samples and min_samples_per_month."


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        settings_from_toml(text, source="mine.toml")
    return info.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a known setting outside any section: where it belongs, as TOML to copy
        (
            "eps_m = 60\n",
            "mine.toml: eps_m belongs under [clustering]: write it as\n[clustering]\neps_m = 60",
        ),
        (
            'since = "2018-06"\n',
            'mine.toml: since belongs under [filters]: write it as\n[filters]\nsince = "2018-06"',
        ),
        (
            'include = ["drugs", "asb"]\n',
            "mine.toml: include belongs under [filters]: write it as\n[filters]\n"
            'include = ["drugs", "asb"]',
        ),
        # ... into the section the file already has
        (
            "hull_buffer_m = 30.0\n[clustering]\nmin_samples = 8\n",
            "mine.toml: hull_buffer_m belongs under [clustering]: move the line "
            "'hull_buffer_m = 30.0' into the [clustering] section",
        ),
        (
            "eps_m = 60\n[clustering]\neps_m = 80\n",
            "mine.toml: eps_m belongs under [clustering], which already sets it: delete the line "
            "'eps_m = 60' at the top of the file",
        ),
        # a misspelt setting outside any section
        (
            "eps = 60\n",
            "mine.toml: unknown setting 'eps'; did you mean 'eps_m'? It belongs under "
            "[clustering]: write it as\n[clustering]\neps_m = 60",
        ),
        (
            "Min_Samples = 8\n",
            "mine.toml: unknown setting 'Min_Samples'; did you mean 'min_samples'? It belongs "
            "under [clustering]: write it as\n[clustering]\nmin_samples = 8",
        ),
        (
            "verbose = true\n",
            f"mine.toml: unknown setting 'verbose' outside any section. {SECTIONS}",
        ),
        # unknown sections
        (
            "[clusterin]\neps_m = 60\n",
            f"mine.toml: unknown section [clusterin]; did you mean [clustering]? {SECTIONS}",
        ),
        ("[filter]\n", f"mine.toml: unknown section [filter]; did you mean [filters]? {SECTIONS}"),
        (
            "[drugs]\nweight = 4.0\n",
            f"mine.toml: unknown section [drugs]; did you mean [categories.drugs]? {SECTIONS}",
        ),
        (
            "[eps_m]\nvalue = 60\n",
            "mine.toml: unknown section [eps_m]; eps_m is a setting under [clustering], not a "
            f"section. {SECTIONS}",
        ),
        ("[display]\ndark = true\n", f"mine.toml: unknown section [display]. {SECTIONS}"),
        # unknown keys in a section: the closest known key, or where it belongs
        (
            "[clustering]\nmin_sample = 8\n",
            "mine.toml: unknown key clustering.min_sample; did you mean 'min_samples'? "
            + CLUSTERING_TAKES,
        ),
        (
            "[clustering]\nepsilon = 60.0\n",
            "mine.toml: unknown key clustering.epsilon; did you mean 'eps_m'? " + CLUSTERING_TAKES,
        ),
        (
            '[clustering]\nsince = "2018-06"\n',
            "mine.toml: unknown key clustering.since; since belongs under [filters]. "
            + CLUSTERING_TAKES,
        ),
        (
            "[clustering]\nradius = 60\n",
            "mine.toml: unknown key clustering.radius. " + CLUSTERING_TAKES,
        ),
        (
            "[filters]\nuntill = '2018-11'\n",
            "mine.toml: unknown key filters.untill; did you mean 'until'? [filters] takes since, "
            "until and include.",
        ),
        (
            "[categories.drugs]\nwieght = 4.0\n",
            "mine.toml: unknown key categories.drugs.wieght; did you mean 'weight'? "
            + CATEGORY_TAKES,
        ),
        (
            "[ward_overrides.E05009250]\nhull_buffer_m = 10.0\n",
            "mine.toml: unknown key ward_overrides.E05009250.hull_buffer_m; hull_buffer_m belongs "
            "under [clustering]. " + OVERRIDE_TAKES,
        ),
        # a value where a section or list was expected
        (
            "clustering = 60\n",
            "mine.toml: clustering must be a section: write [clustering] on a line of its own",
        ),
        (
            "[categories]\ndrugs = 4.0\n",
            f"mine.toml: categories.drugs must be a section [categories.drugs]. {CATEGORY_TAKES}",
        ),
        (
            '[filters]\ninclude = "drugs"\n',
            'mine.toml: filters.include must be a list of category keys, e.g. include = ["drugs", '
            "\"asb\"]. Got 'drugs'.",
        ),
    ],
)
def test_layout_problems_say_where_and_what(text, expected):
    assert problems(text) == [expected]


def test_every_problem_is_collected_and_raised_once():
    text = (
        "eps_m = 60\n"
        "[clustering]\nmin_sample = 8\n"
        "[categories.drugs]\nwieght = 4.0\n"
        "[display]\ndark = true\n"
    )
    assert problems(text) == [
        "mine.toml: eps_m belongs under [clustering]: move the line 'eps_m = 60' into the "
        "[clustering] section",
        "mine.toml: unknown key clustering.min_sample; did you mean 'min_samples'? "
        + CLUSTERING_TAKES,
        "mine.toml: unknown key categories.drugs.wieght; did you mean 'weight'? " + CATEGORY_TAKES,
        f"mine.toml: unknown section [display]. {SECTIONS}",
    ]


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("eps_m = 75\n", "eps_m", 75),
        ('until = "2018-09"\n', "until", "2018-09"),
        ("minsamples = 12\n", "min_samples", 12),
        ("min_pts = 12\n", "min_samples", 12),
    ],
)
def test_the_suggested_toml_reads_back(text, field, value):
    (problem,) = problems(text)
    snippet = problem.split("write it as\n", 1)[1]
    assert getattr(settings_from_toml(snippet), field) == value


def test_the_move_advice_gives_a_readable_file():
    text = "eps_m = 75\n[clustering]\nmin_samples = 8\n"
    (problem,) = problems(text)
    line = problem.split("move the line '", 1)[1].split("'", 1)[0]
    assert line == "eps_m = 75"
    fixed = "[clustering]\nmin_samples = 8\n" + line + "\n"
    s = settings_from_toml(fixed)
    assert (s.eps_m, s.min_samples) == (75, 8)


def test_values_are_checked_only_once_the_layout_is_right(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[clustering]\neps_m = -5.0\n")
    with pytest.raises(ValidationError) as info:
        load_settings(path)
    assert info.value.problems == [
        f"{path}: The 'eps_m' setting must be in (0, 5000] m. Got -5.0 instead."
    ]
    path.write_text("eps_m = -5.0\n")
    with pytest.raises(ValidationError) as info:
        load_settings(path)
    assert info.value.problems == [
        f"{path}: eps_m belongs under [clustering]: write it as\n[clustering]\neps_m = -5.0"
    ]


def test_a_correct_file_still_loads():
    text = (
        "[clustering]\neps_m = 60.0\nmin_samples = 8\n"
        '[filters]\nsince = "2018-06"\ninclude = ["drugs", "asb"]\n'
        "[categories.drugs]\nweight = 5.0\n"
        '[aliases]\n"cuckooing" = "drugs"\n'
        "[ward_overrides.E05009250]\neps_m = 40.0\n"
    )
    s = settings_from_toml(text)
    assert (s.eps_m, s.min_samples, s.since, s.include) == (60.0, 8, "2018-06", ("drugs", "asb"))
    assert s.categories["drugs"].weight == 5.0
    assert s.category_key("Cuckooing") == "drugs"
    assert s.params_for("E05009250", months=9) == (40.0, 8)
