"""filmc's standard library: `.film` includes, jinja2 prompt templates and inference rules
(words per second, coverage), shipped as package data for a project to include or override.
It fills in with the shot planner, the first stage that reads it.
"""
