# The real pack's catalogue, shared with the catalogue's tests.
from tests.catalog.conftest import real_catalog

__all__ = ["real_catalog"]
