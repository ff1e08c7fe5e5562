"""glibc's allocator, tuned for a process that runs a pipeline batch after batch.

Each batch allocates the same large arrays (the tok2vec's windows and layer outputs: tens of
megabytes) and frees them at its end. By default glibc serves an allocation above its mmap
threshold (at most 32 MB, adjusted as it goes) with a fresh ``mmap`` and gives it back with
``munmap``, and trims the heap's top once more than its trim threshold is free: either way the
next batch writes to fresh pages, which the kernel must fault in and zero, in system time.
Measured for issue 34 (docs/benchmarks.md, "Prediction speed"): `nerwb predict` took 1.9x the
page faults of a bare ``nlp.pipe`` over the same 500 articles and up to 2x its system time;
with both thresholds raised its faults fell below the bare pipe's and its CPU seconds by 11-24 %
(3 pairs, beside one other job), for about 4 % more peak memory. So predict's processes keep freed memory for the
next batch. Only where glibc's ``mallopt`` exists (Linux with glibc); elsewhere nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 2**20  # arrays up to this size come from the heap and are reused
TRIM_THRESHOLD = 512 * 2**20  # free memory kept at the heap's top before it is given back


def glibc_mallopt() -> Callable[[int, int], int] | None:
    """glibc's ``mallopt``, or None where this C library has none (not Linux, or no libc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt


def keep_freed_memory() -> bool:
    """Raise this process's mmap and trim thresholds (inherited by forked workers). Whether
    they were set: False where the C library has no glibc ``mallopt``."""
    mallopt = glibc_mallopt()
    if mallopt is None:
        return False
    # mallopt returns 1 on success; musl's stub returns 0 and changes nothing
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
