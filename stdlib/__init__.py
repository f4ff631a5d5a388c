"""filmc's standard library: `.film` includes, jinja2 prompt templates and inference rules,
shipped as package data for a project to include or override.

`defaults.toml` holds the rules that are numbers (words per second of natural speech); a
project's `film.toml` overrides them key by key.
"""
