"""Exports of a film to other tools' formats."""
