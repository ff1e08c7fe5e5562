"""Active learning: which unlabelled segments to label next.

``strategies``: random, uncertain, uncertain-diverse, novel and novel-uncertain over a list of
segments; ``uncertainty``: a model's doubt about a text (spaCy's beam); ``candidates``: name
candidates the labelled data has not named yet (no tagger needed); ``pool``: the segments no
push has uploaded yet, ranked and written for ``nerwb select``.
"""
