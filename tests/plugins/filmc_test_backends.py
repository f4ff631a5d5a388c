"""Backends that exist only for filmc's tests, installed by putting this folder on sys.path
(tests/conftest.py does): the `.dist-info` beside it registers them in the `filmc.backends`
entry-point group exactly as a third-party package would. (`test-broken` there names an
object this module does not have: a plugin that fails to load.)"""

from filmc.backends.base import Capabilities


class TenSecondVideo:
    """Declares what a Kling-like service does: video clips of at most 10 s."""

    capabilities = Capabilities(produces=frozenset({"video"}), max_clip_s=10, reference_images=True, seeds=True)

