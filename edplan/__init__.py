"""edplan: the educational planning engine (no Django).

A pure-Python library with a CLI that replaces spreadsheet simulation models: UIS
indicators, flow rates and the reconstructed cohort, data-quality checks, and a
projection model of enrolment, teachers, classrooms, costs and financing driven by YAML
scenarios, with side-by-side comparison and sensitivity runs.

Typical use::

    import edplan
    structure = edplan.load_structure("cambodia")
    data = edplan.read_dataset("province.csv", structure)      # or an iterable of dicts
    for issue in edplan.quality_checks(data):
        print(issue)
    indicators = edplan.compute_indicators(data, year="2023-24")
    projection = edplan.project(data, edplan.load_scenario("scenario.yaml"))
    rows = projection.records()

Everything listed in ``__all__`` is the public, semantically versioned API.
"""

__version__ = "0.1.0"

from .data import COLUMNS, VARIABLES, read_dataset, validate
from .dataset import SEXES, Dataset
from .errors import DataError, EdplanError, Problem, ScenarioError, StructureError
from .flows import (
    CohortResult,
    FlowCounts,
    cohort_arrays,
    flow_counts,
    flow_rates,
    reconstructed_cohort,
)
from .i18n import N_
from .indicators import (
    INDICATORS,
    Indicator,
    IndicatorResults,
    IndicatorValue,
    compute_indicators,
)
from .projection import Projection, project
from .quality import CHECKS, QualityIssue, quality_checks
from .scenario import PARAMETERS, ParameterSpec, Scenario, load_scenario
from .sensitivity import Comparison, SensitivityResult, compare, sensitivity
from .structure import BUILTIN_STRUCTURES, Level, Structure, load_structure
from .years import SchoolYear

__all__ = [
    "BUILTIN_STRUCTURES",
    "CHECKS",
    "COLUMNS",
    "INDICATORS",
    "N_",
    "PARAMETERS",
    "SEXES",
    "VARIABLES",
    "CohortResult",
    "Comparison",
    "DataError",
    "Dataset",
    "EdplanError",
    "FlowCounts",
    "Indicator",
    "IndicatorResults",
    "IndicatorValue",
    "Level",
    "ParameterSpec",
    "Problem",
    "Projection",
    "QualityIssue",
    "Scenario",
    "ScenarioError",
    "SchoolYear",
    "SensitivityResult",
    "Structure",
    "StructureError",
    "__version__",
    "cohort_arrays",
    "compare",
    "compute_indicators",
    "flow_counts",
    "flow_rates",
    "load_scenario",
    "load_structure",
    "project",
    "quality_checks",
    "read_dataset",
    "reconstructed_cohort",
    "sensitivity",
    "validate",
]
