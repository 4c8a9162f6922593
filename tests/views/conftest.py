# The catalogue fixtures (a small valid pack to break, and the real pack) are shared with the
# catalogue's tests.
from tests.catalog.conftest import pack, real_catalog

__all__ = ["pack", "real_catalog"]
