"""nerwb's own spaCy components, registered as ``spacy_factories`` entry points so that
``spacy.load`` of a model that uses them works wherever nerwb is installed."""
