"""Method parameters as the Bot API receives them, read with Telegram's coercions.

The same method can arrive as a query string, a url-encoded or multipart form (every value a
string, nested objects as JSON text) or a JSON body (real types). ``Params`` hides that:
handlers ask for "an int" or "a JSON object" and get the same answer either way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.telegram_fake.errors import ApiError

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str
    content_type: str
    data: bytes


class Params:
    def __init__(self, values: Mapping[str, Any], files: Mapping[str, Upload] | None = None):
        self._values = dict(values)
        self._files = dict(files or {})

    def __contains__(self, name: str) -> bool:
        return self._values.get(name) not in (None, "")

    @property
    def files(self) -> dict[str, Upload]:
        return self._files

    def for_log(self) -> dict[str, Any]:
        """Values as received, with uploads described instead of carried (the log is kept)."""
        logged = dict(self._values)
        for name, upload in self._files.items():
            logged[name] = f"<upload {upload.filename!r}, {len(upload.data)} bytes>"
        return logged

    def raw(self, name: str) -> Any:
        return self._values.get(name)

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def require_str(self, name: str, missing: str | None = None) -> str:
        value = self.get_str(name)
        if value is None or value == "":
            raise ApiError.bad_request(missing or f"parameter {name!r} is required")
        return value

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise ApiError.bad_request(f"invalid {name} specified") from None

    def require_int(self, name: str, missing: str | None = None) -> int:
        value = self.get_int(name)
        if value is None:
            raise ApiError.bad_request(missing or f"parameter {name!r} is required")
        return value

    def get_float(self, name: str) -> float | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError.bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ApiError.bad_request(f"invalid {name} specified")

    def get_json(self, name: str, what: str | None = None) -> Any:
        """A nested object or array: JSON text in forms, a real value in JSON bodies."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError.bad_request(f"can't parse {what or name} JSON object") from None
        return value

    def input_file(self, name: str) -> Upload | str | None:
        """An uploaded file (by field name or ``attach://``), or the string given (file_id/URL)."""
        if name in self._files:
            return self._files[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            attached = self._files.get(value.removeprefix("attach://"))
            if attached is None:
                raise ApiError.bad_request(f"file {value!r} was not attached")
            return attached
        return value or None
