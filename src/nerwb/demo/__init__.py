"""The demo: the whole loop on the shipped corpus, with simulated annotators (a demo device)."""

DEMO_STEPS = 600  # training steps of `nerwb demo`: a few minutes on 2 CPU cores
