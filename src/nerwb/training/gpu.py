"""``--gpu-id``: checked before any work, so a missing CuPy or GPU is one line, not a traceback."""

from __future__ import annotations

from nerwb.errors import TrainingError


def check_gpu(gpu_id: int) -> None:
    """Check that spaCy can train on GPU ``gpu_id`` (any negative id is the CPU).

    Raises:
        TrainingError: CuPy is not installed, no GPU is usable, or there is no GPU ``gpu_id``.
    """
    if gpu_id < 0:
        return
    try:
        import cupy  # spaCy (thinc) trains on a GPU through CuPy
    except ImportError:
        raise TrainingError(
            f"--gpu-id {gpu_id}: CuPy is not installed, so spaCy cannot use a GPU; install the "
            "CuPy build for your CUDA (e.g. pip install 'spacy[cuda12x]'), or leave --gpu-id out "
            "to train on the CPU"
        ) from None
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as err:  # CUDA driver missing or broken: CuPy raises its own errors
        raise TrainingError(
            f"--gpu-id {gpu_id}: CuPy finds no usable GPU ({err}); leave --gpu-id out to train "
            "on the CPU"
        ) from None
    if gpu_id >= count:
        raise TrainingError(
            f"--gpu-id {gpu_id}: this machine has {count} GPU(s)"
            + (f" (ids 0 to {count - 1})" if count else "")
        )
