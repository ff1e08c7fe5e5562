"""predict keeps freed memory for the next batch: glibc's thresholds raised in its processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nerwb.predict.allocator import glibc_mallopt

# A 64 MB array written, freed, then a second one written: with glibc's defaults the second is a
# fresh mmap whose pages fault in again; with the thresholds raised it reuses the first's.
CHILD = """
import resource, sys
import numpy as np
from nerwb.predict.allocator import keep_freed_memory
if sys.argv[1] == "tuned":
    assert keep_freed_memory()
first = np.ones(8 * 2**20)
del first
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
second = np.ones(8 * 2**20)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

# checked without calling it: this test process keeps glibc's defaults (the children set them)
glibc = pytest.mark.skipif(
    glibc_mallopt() is None,
    reason="glibc's mallopt is Linux-with-glibc only; elsewhere keep_freed_memory changes nothing",
)


def faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


@glibc
def test_a_freed_batch_array_is_reused_not_faulted_in_again() -> None:
    default, tuned = faults("default"), faults("tuned")
    # 64 MB is 16,384 pages of 4 KB (fewer with transparent huge pages)
    assert tuned <= max(64, default // 8), (default, tuned)


@glibc
def test_nerwb_predict_raises_them_in_its_process(model: Path, tmp_path: Path) -> None:
    """After `nerwb predict` (one process) in a child, the same freed-then-written array does not
    fault in again: the command raised the thresholds. A fresh child without predict does."""
    articles = tmp_path / "in.jsonl"
    articles.write_text('{"id": "a1", "text": "Gunmen of the Lions Brigade attacked."}\n')
    run_predict = (
        "from nerwb.cli.main import main\n"
        f"sys.argv = ['nerwb', 'predict', {str(model)!r}, {str(articles)!r}, "
        f"'-o', {str(tmp_path / 'out.jsonl')!r}]\n"
        "try:\n    main()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
    )
    code = CHILD.replace(
        'if sys.argv[1] == "tuned":\n    assert keep_freed_memory()\n', run_predict
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    after_predict = int(done.stdout.strip().splitlines()[-1])
    assert (tmp_path / "out.jsonl").is_file()
    assert after_predict <= max(64, faults("default") // 8), after_predict
