"""``nerwb train``: placeholder."""


def train_cmd() -> None:
    """Train (not yet)."""


def train_curve_cmd() -> None:
    """Learning curve (not yet)."""
