"""Worked example files shipped with the engine (used by the tutorial and the tests).

* ``siem_reap_synthetic.csv`` — one synthetic province, two observed years, calibrated
  on real 2020-21 public-school totals of Siem Reap (see ``README.md`` beside it);
* ``scenario_siem_reap.yaml`` — a projection scenario for it to 2030-31.

>>> example_path("siem_reap_synthetic.csv").name
'siem_reap_synthetic.csv'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["EXAMPLES", "example_path"]

EXAMPLES: tuple[str, ...] = (
    "siem_reap_synthetic.csv",
    "scenario_siem_reap.yaml",
    "scenario_siem_reap_sensitivity.yaml",
)


def example_path(name: str) -> Path:
    """Filesystem path of an example file shipped in ``edplan/examples``."""
    if name not in EXAMPLES:
        raise KeyError(f"unknown example {name!r}; examples: {', '.join(EXAMPLES)}")
    return Path(str(resources.files("edplan.examples").joinpath(name)))
