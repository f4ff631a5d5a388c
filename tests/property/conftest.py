"""Keep hypothesis's failure reports readable under `filterwarnings = error`.

When a property fails, hypothesis's pytest plugin imports `hypothesis.extra._patching` (to
offer an `@example` patch), which imports libcst, which imports mypy_extensions, whose
DeprecationWarning then turns the failure report into an INTERNALERROR. Importing it here
once, with that warning ignored, makes the later import a no-op.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import hypothesis.extra._patching  # noqa: F401
    except Exception:  # pragma: no cover - optional dependency (libcst) missing or changed
        pass
