"""``nerwb evaluate``: placeholder."""


def evaluate_cmd() -> None:
    """Evaluate (not yet)."""


def compare_cmd() -> None:
    """Compare (not yet)."""
