"""The GPU a run asks for: checked before any work, so a missing CuPy or GPU is one line, not a
traceback."""

from __future__ import annotations

from nerwb.errors import SETTING, ErrorKind, TrainingError


def check_gpu(gpu_id: int) -> None:
    """Check that spaCy can train on GPU ``gpu_id`` (any negative id is the CPU).

    Raises:
        TrainingError: CuPy is not installed, no GPU is usable, or there is no GPU ``gpu_id``
            (kind ``NO_GPU``, setting ``gpu_id``).
    """
    if gpu_id < 0:
        return
    try:
        import cupy  # spaCy (thinc) trains on a GPU through CuPy
    except ImportError:
        raise _no_gpu(
            gpu_id,
            "CuPy is not installed, so spaCy cannot use a GPU; install the CuPy build for your "
            "CUDA (e.g. pip install 'spacy[cuda12x]')",
        ) from None
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as err:  # CUDA driver missing or broken: CuPy raises its own errors
        raise _no_gpu(gpu_id, f"CuPy finds no usable GPU ({err})") from None
    if gpu_id >= count:
        raise _no_gpu(
            gpu_id,
            f"this machine has {count} GPU(s)" + (f" (ids 0 to {count - 1})" if count else ""),
        )


def _no_gpu(gpu_id: int, problem: str) -> TrainingError:
    return TrainingError(
        f"{SETTING} {gpu_id}: {problem}", kind=ErrorKind.NO_GPU, setting="gpu_id", value=gpu_id
    )
