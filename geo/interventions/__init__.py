"""Before/after and displacement around warrants, closure orders and team starts."""

from geo.interventions.areas import (
    INTERVENTION_BOUNDS,
    InterventionOptions,
    intervention_windows,
)
from geo.interventions.card import EffectCard, card_from_row, effect_card, place_near
from geo.interventions.effect import InterventionResult, evaluate_files, evaluate_intervention
from geo.interventions.events import (
    Intervention,
    interventions_table,
    load_interventions,
    read_interventions_csv,
    validate_interventions,
)
from geo.interventions.report import (
    effects_table,
    intervention_map,
    series_figure,
    series_png,
    write_intervention_outputs,
)
from geo.interventions.statistics import (
    relative_effect,
    total_net_effect,
    weighted_displacement_quotient,
)

__all__ = [
    "INTERVENTION_BOUNDS",
    "EffectCard",
    "Intervention",
    "InterventionOptions",
    "InterventionResult",
    "card_from_row",
    "effect_card",
    "effects_table",
    "evaluate_files",
    "evaluate_intervention",
    "intervention_map",
    "intervention_windows",
    "interventions_table",
    "load_interventions",
    "place_near",
    "read_interventions_csv",
    "relative_effect",
    "series_figure",
    "series_png",
    "total_net_effect",
    "validate_interventions",
    "weighted_displacement_quotient",
    "write_intervention_outputs",
]
