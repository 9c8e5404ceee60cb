"""The evaluation panel of the Analyst page: every method judged on later months, on request."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import matplotlib.pyplot as plt
import pandas as pd
import streamlit as st

from geo import columns as c
from geo import evaluation as ev
from geo.errors import ValidationError
from geo.progress import ProgressFn
from geo.result import PipelineResult
from geo.settings import Settings
from geo.source import LoadedSource
from ui import cache, state
from ui.widgets import show_problem, stacked

PERMUTATIONS = 99
#: The candidates of the nested check (those of ``python -m geo tune``).
NESTED_EPS_M: tuple[float, ...] = (30.0, 40.0, 60.0, 80.0)
NESTED_MIN_SAMPLES: tuple[int, ...] = (5, 10, 15, 20)
T = TypeVar("T")
WINDOW = "eval_window"
REQUEST = "eval_request"
WARD_COLUMNS = {
    "Hit rate (%)": st.column_config.NumberColumn(format="%.1f"),
    "PAI (mean)": st.column_config.NumberColumn(format="%.1f"),
    "PAI (std)": st.column_config.NumberColumn(format="%.1f"),
    "RRI (mean)": st.column_config.NumberColumn(format="%.2f"),
    "Area share (%)": st.column_config.NumberColumn(format="%.2f"),
}
STABILITY_COLUMNS = {
    "period_before": "Window",
    "period_after": "Next window",
    c.WARD_NAME: "Ward",
    "n_before": "Hotspots",
    "n_after": "Hotspots next",
    "n_persisting": "Persisting",
    "share_persisting": "Share persisting",
    "jaccard": "Area overlap (Jaccard)",
}


@dataclass
class EvaluationSlot:
    """The evaluations of one (data, settings, window), each read-only once filled."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    evaluation: ev.Evaluation | None = None
    nested: ev.NestedResult | None = None


@st.cache_resource(show_spinner=False, max_entries=6)
def evaluation_slot(key: str, settings_key: Hashable, window_months: int) -> EvaluationSlot:
    """The cached holder of the evaluations of (source key, settings key, window).

    :func:`run_evaluation` and :func:`run_nested` fill it outside this function so that a
    progress bar can be drawn while they run: Streamlit replays what a cached function
    draws, and cannot replay updates to a bar created outside it.
    """
    return EvaluationSlot()


def filled(
    settings: Settings,
    window_months: int,
    fill: Callable[[EvaluationSlot, LoadedSource, ProgressFn], T],
) -> T:
    """What ``fill`` gives from the slot of ``settings`` and the window on the data in use.

    ``fill(slot, loaded, progress)`` returns the slot's field it is about, computing it
    first when it is empty; it runs holding the slot's lock (another session computing the
    same waits for it), with a progress bar on the page.
    """
    src = state.data_source()
    slot = evaluation_slot(src.key, settings.cache_key(), window_months)
    bar = st.empty()

    def progress(message: str, fraction: float) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{message}…")

    try:
        with slot.lock:
            progress("Reading the data", 0.0)
            return fill(slot, cache.loaded(src), progress)
    finally:
        bar.empty()


def run_evaluation(settings: Settings, window_months: int) -> ev.Evaluation:
    """The evaluation of ``settings`` on the data in use, with a progress bar while it runs."""

    def fill(slot: EvaluationSlot, loaded: LoadedSource, progress: ProgressFn) -> ev.Evaluation:
        if slot.evaluation is None:
            slot.evaluation = ev.evaluate_methods(
                loaded.raw,
                loaded.wards,
                settings,
                window_months=window_months,
                permutations=PERMUTATIONS,
                progress=progress,
            )
        return slot.evaluation

    return filled(settings, window_months, fill)


def run_nested(settings: Settings, window_months: int) -> ev.NestedResult:
    """The nested selection over the sweep grid (hulls, as the maps draw them), with progress.

    Every candidate ``eps_m`` x ``min_samples`` is fitted on each window and scored on the
    month after it; each test month's setting is chosen by the written rule from the test
    months before it only (:func:`geo.evaluation.nested_evaluation`).
    """

    def fill(slot: EvaluationSlot, loaded: LoadedSource, progress: ProgressFn) -> ev.NestedResult:
        if slot.nested is None:
            slot.nested = ev.nested_evaluation(
                loaded.raw,
                loaded.wards,
                settings,
                eps_values=NESTED_EPS_M,
                min_samples_values=NESTED_MIN_SAMPLES,
                shapes=("hull",),
                window_months=window_months,
                permutations=PERMUTATIONS,
                progress=progress,
            )
        return slot.nested

    return filled(settings, window_months, fill)


def evaluation_section(settings: Settings, result: PipelineResult) -> None:
    """On request: every method judged on later months at DBSCAN's area, and stability."""
    st.subheader("How good are these hotspots? (evaluation on later months)")
    st.write(
        "A useful hotspot map points to where incidents happen next. Here each method is "
        "fitted on a window of past months and judged on the month after it; then the window "
        "moves on a month. Kernel density, Getis-Ord Gi* and last month's busiest grid cells "
        "each mark the same area as the DBSCAN hotspots in every ward, so the numbers compare "
        "like with like."
    )
    months = sorted(set(result.incidents[c.MONTH].astype(str)))
    try:
        longest = len(ev.rolling_folds(months, window_months=1))
    except ValidationError:
        st.info("The evaluation needs at least two months of data.")
        return
    windows = list(range(1, longest + 1))
    if st.session_state.get(WINDOW) not in windows:
        st.session_state[WINDOW] = min(3, longest)
    if longest > 1:
        window = int(
            st.select_slider(
                "Months fitted before each test month",
                options=windows,
                key=WINDOW,
                help="A longer window gives steadier hotspots but leaves fewer months to test on.",
            )
        )
    else:
        window = 1
    folds = ev.rolling_folds(months, window_months=window)
    tests = f"{len(folds)} test month{'s' if len(folds) != 1 else ''}"
    st.caption(
        f"{tests} ({folds[0].test_month} to {folds[-1].test_month}), each judged with what "
        f"the methods marked from the {window} month{'s' if window != 1 else ''} before it, "
        f"using the settings above (eps_m {settings.eps_m:g} m, min_samples "
        f"{settings.min_samples_text(window)}). This takes tens of seconds. Settings picked "
        "by looking at these months score in sample here: the nested check below does not."
    )
    evaluation = on_request(
        settings,
        window,
        run_evaluation,
        button="Evaluate these settings",
        key="eval_run",
        state_key=REQUEST,
        what="evaluation",
        again="evaluate these",
    )
    if evaluation is not None:
        show_evaluation(evaluation, settings)


def on_request(
    settings: Settings,
    window: int,
    run: Callable[[Settings, int], T],
    *,
    button: str,
    key: str,
    state_key: str,
    what: str,
    again: str,
) -> T | None:
    """A button that runs ``run(settings, window)`` on the data in use; its result, or ``None``.

    The result shows from the press on, for as long as the data, settings and window are
    those it was asked for (a change hides it, with a note, until the button is pressed
    again; going back shows it again, cached). A problem with the data or settings is shown
    in plain words (``what`` names the result, ``again`` what the button does).
    """
    request = (state.data_source().key, settings.cache_key(), window)
    if st.button(button, key=key):
        st.session_state[state_key] = request
    if st.session_state.get(state_key) != request:
        if state_key in st.session_state:
            st.caption(
                f"The data, settings or window changed since the last {what}: press the "
                f"button to {again}."
            )
        return None
    try:
        return run(settings, window)
    except ValidationError as exc:
        st.session_state.pop(state_key, None)
        show_problem(f"The {what} cannot run with the data and settings in use:", exc)
        return None


def months_text(n: int, kind: str = "") -> str:
    """``"1 test month"``, ``"6 test months"`` (``kind`` ``"test"``), ``"2 months"``."""
    return " ".join(x for x in (str(n), kind, "month" if n == 1 else "months") if x)


#: How the verdict under the PAI plot begins.
VERDICT = "**At these settings, against the best other method above:**"


def verdict_text(table: pd.DataFrame) -> str:
    """DBSCAN against the best other method at its area, month by month, in one paragraph.

    ``table`` is :attr:`geo.evaluation.Evaluation.table`. "Level with" whenever the
    interval of the paired differences includes zero (:func:`geo.evaluation.paired_difference`).
    """
    try:
        d = ev.paired_difference(table, measure="pai")
    except ValidationError as exc:
        return f"{VERDICT} no method to compare with ({exc})."
    return f"{VERDICT} {d.sentence()}"


def show_evaluation(evaluation: ev.Evaluation, settings: Settings) -> None:
    """Summary table, PAI plot, stability, per-ward breakdown and CSV downloads."""
    folds = evaluation.folds
    window = len(folds[0].fit_months)
    st.markdown(f"**All wards: mean ± standard deviation over {months_text(len(folds), 'test')}**")
    st.dataframe(ev.summary_text(evaluation.summary), hide_index=True, width="stretch")
    st.caption(
        "**Hit rate**: the share of the test month's incidents that fell inside the marked "
        "areas. **PAI** (Predictive Accuracy Index) = hit rate ÷ share of the wards' area "
        "marked: 1 is no better than marking places at random; 20 means the marked areas "
        "caught twenty times their share of the incidents. All methods mark the same area "
        "(Area share), so a higher PAI means a method anticipated the next month better. "
        "**RRI** (Recapture Rate Index): above 1, the areas held a larger share of the test "
        "month's incidents than of the fitted months'; below 1, the problem moved away."
    )
    current = (settings.eps_m, settings.min_samples_for(window))
    fig = ev.plot_pai_by_method(evaluation.table, current=current)
    st.pyplot(fig, alt="PAI and hit rate of each method: mean bars and one dot per test month")
    plt.close(fig)
    st.markdown(verdict_text(evaluation.table))

    st.markdown("**Do the hotspots last?** (DBSCAN hotspots of each window against the next)")
    overview = ev.stability_overview(evaluation.stability)
    if overview is None:
        st.write("Stability needs at least two test months.")
    else:
        s1, s2 = st.columns(2)
        s1.metric("Hotspots persisting into the next window", overview[0])
        s2.metric("Mean area overlap (Jaccard)", overview[1])
        st.caption(
            "Persisting: a hotspot overlaps a hotspot of the next window in the same ward. "
            "Area overlap: the area both windows mark ÷ the area either marks (1 = the same "
            f"places). Consecutive {window}-month windows share "
            f"{months_text(window - 1) if window > 1 else 'no month'}"
            f"{', which raises both numbers' if window > 1 else ''}."
        )

    with st.expander("Per ward"):
        st.dataframe(
            ev.ward_table(evaluation.summary),
            hide_index=True,
            width="stretch",
            column_config=WARD_COLUMNS,
        )
        st.caption("Means over the test months; empty where a ward had no incidents to test.")
        st.markdown("**Stability, window by window**")
        st.dataframe(
            evaluation.stability[list(STABILITY_COLUMNS)],
            hide_index=True,
            width="stretch",
            column_config=STABILITY_COLUMNS,
        )

    with stacked("evaluation_downloads"):  # at 1024 px each label is read whole
        e1, e2, e3 = st.columns(3)
    e1.download_button(
        "Evaluation by month, method and ward (CSV)",
        ev.evaluation_csv(evaluation.table),
        "evaluation.csv",
        "text/csv",
    )
    e2.download_button(
        "Evaluation summary (CSV)",
        ev.evaluation_csv(evaluation.summary),
        "evaluation_summary.csv",
        "text/csv",
    )
    e3.download_button(
        "Hotspot stability (CSV)",
        ev.evaluation_csv(evaluation.stability),
        "stability.csv",
        "text/csv",
    )
