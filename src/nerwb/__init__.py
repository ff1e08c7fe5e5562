"""nerwb: an annotation and training workbench for custom named-entity recognition."""

__version__ = "0.1.0"
