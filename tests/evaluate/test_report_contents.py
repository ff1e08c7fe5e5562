"""report.html / report.md: embedded plots, intervals, per-label schemas, data hash, the model's
training facts, and labels without support shown as "—"."""

from __future__ import annotations

import json

from conftest import TINY_MODEL_STEPS, write_jsonl
from nerwb.records.training import TrainingManifest, manifest_path


def test_report_contents(tiny_workspace, cli, tmp_path) -> None:
    ws, model = tiny_workspace
    data = write_jsonl(
        tmp_path / "g.jsonl",
        [
            {
                "text": "Fighters of the Lions Brigade carried rifles.",
                "label": [[16, 29, "ARMED_GROUP"]],
            }
        ],
    )
    out = tmp_path / "r"
    result = cli("evaluate", model, data, "-o", out, "--bootstrap", "50", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    manifest = TrainingManifest.load(manifest_path(model.parent)).to_json()
    assert metrics["training"]["steps"] == manifest["steps"] == TINY_MODEL_STEPS
    assert metrics["training"]["train_docs"] == manifest["data"]["train"]["docs"]
    page = (out / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 2
    assert metrics["data_sha256"] in page
    lo, hi = metrics["micro_f_ci95"]
    assert f"[{100 * lo:.1f}, {100 * hi:.1f}]" in page
    assert "<th>exact F</th><th>partial F</th><th>type F</th>" in page
    assert "ner-fast.cfg" in page and "best dev F" in page
    unsupported = [k for k, s in metrics["per_label"].items() if s["support"] == 0]
    # the data has ARMED_GROUP only: every other label of the model has no support
    assert unsupported == [k for k in metrics["per_label"] if k != "ARMED_GROUP"] != []
    row = page.split(f"<td>{unsupported[0]}</td>", 1)[1].split("</tr>", 1)[0]
    assert "—" in row and "[0.0, 0.0]" not in row
    md = (out / "report.md").read_text()
    md_row = next(line for line in md.splitlines() if line.startswith(f"| {unsupported[0]} |"))
    assert "—" in md_row and "[0.0, 0.0]" not in md_row
