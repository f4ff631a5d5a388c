"""filmc: a compiler from .film screenplays (a Fountain 1.1 superset) to rendered films."""

__version__ = "0.1.0"
