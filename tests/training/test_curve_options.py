"""`train-curve` checks --seeds and --fractions before spaCy loads (issues 30.13, 30.17), and a
curve that fails leaves no `training/curve-*` folder behind."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import TINY, snapshot_tree
from nerwb.errors import ErrorKind, TrainingError
from nerwb.training.curve import CurvePoint, CurveReport, write_curve
from nerwb.training.options import CurveOptions


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--seeds", "0"], "--seeds 0: give at least 1 run per share"),
        (
            ["--fractions", "1.0,1.0"],
            "--fractions '1.0,1.0' repeats 1: give each share once (more seeds run a share several "
            "times)",
        ),
        (
            ["--fractions", "0,0.5"],
            "--fractions '0.0,0.5': each is a share of the training articles",
        ),
        (["--fractions", "1.5"], "--fractions '1.5': each is a share of the training articles"),
        (["--fractions", "half"], "--fractions 'half': expected numbers like 0.25,0.5,1.0"),
        (["--target", "80"], "--target 80.0: give the dev F to reach, between 0 and 1"),
    ],
)
def test_curve_refuses_bad_options_at_once_and_changes_nothing(
    trained_ws, cli, options, message
) -> None:
    ws = trained_ws
    before = snapshot_tree(ws.root)
    result = cli("train-curve", *options, *TINY, "-w", ws.root)
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert snapshot_tree(ws.root) == before
    assert not list(ws.training_dir.glob("curve-*"))


def test_curve_options_are_checked_before_spacy_is_imported(tmp_path) -> None:
    code = (
        "import sys\n"
        "from nerwb.cli.main import app\n"
        "try:\n"
        f"    app(['train-curve', '--seeds', '0', '-w', {str(tmp_path)!r}], standalone_mode=False)\n"
        "except BaseException:\n"
        "    pass\n"
        "print('SPACY', 'spacy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--seeds 0" in out.stderr
    assert out.stdout.splitlines()[-1] == "SPACY False"


def test_curve_options_refuse_no_seed_and_repeated_fractions() -> None:
    for fractions, seeds, message in (
        ([0.5], 0, "seeds 0: give at least 1 run per share"),
        ([1.0, 1.0], 1, "fractions '1.0,1.0' repeats 1"),
    ):
        with pytest.raises(TrainingError, match=message) as refused:
            CurveOptions(fractions=fractions, seeds=seeds)
        assert refused.value.kind is ErrorKind.BAD_SETTING


def test_a_curve_that_fails_to_write_leaves_no_folder(tmp_path) -> None:
    # a point without any run: plotting it fails (what --seeds 0 reached on aa70df1)
    report = CurveReport([CurvePoint(1.0, 10)], [], 0.8, 10)
    out = tmp_path / "training" / "curve-20990101T000000Z"
    with pytest.raises(Exception, match="at least one data point"):
        write_curve(report, out)
    assert not out.exists()
    assert list((tmp_path / "training").iterdir()) == []
