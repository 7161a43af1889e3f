"""The public API and the engine boundary."""

from __future__ import annotations

import re
import subprocess
import sys

import edplan


def test_public_names_exist_and_are_documented() -> None:
    for name in edplan.__all__:
        obj = getattr(edplan, name)
        if callable(obj):
            assert obj.__doc__, name


def test_semantic_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", edplan.__version__)


def test_engine_never_imports_django() -> None:
    code = (
        "import sys, edplan, edplan.cli, edplan.export, edplan.docs, edplan.sensitivity\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'ninja', 'plancampus'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_labels_are_plain_strings_for_translation() -> None:
    for ind in edplan.INDICATORS.values():
        assert isinstance(ind.label, str)
    for param in edplan.PARAMETERS.values():
        assert isinstance(param.label, str)
    assert edplan.N_("x") == "x"
