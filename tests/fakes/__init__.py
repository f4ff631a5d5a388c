"""Loopback fakes of the generation services filmc's HTTP backends talk to (see server.py)."""
