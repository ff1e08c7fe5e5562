"""``nerwb demo``: placeholder."""


def demo_cmd() -> None:
    """Demo (not yet)."""
