"""The JSON codec of the results cache: what a computation returned, as stored and rebuilt.

Only finished aggregates are stored, with small groups already suppressed: never a pseudonym and
never the mapping from members to pseudonyms. The codec rebuilds only the dataclasses registered
here, so nothing in the database can make the app construct arbitrary objects.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString

_REGISTRY: dict[str, type] = {}
_NAMES: dict[type, str] = {}


def register(*classes: type, namespace: str | None = None) -> None:
    """Allow the codec to store and rebuild these dataclasses, as ``namespace.ClassName``.

    The name is part of what is stored (default: the class's module). A class that moves to
    another module keeps its old namespace, so that what was stored before still decodes: a
    closed round's final figures are never computed again.
    """
    for cls in classes:
        name = f"{namespace or cls.__module__}.{cls.__qualname__}"
        _REGISTRY[name] = cls
        _NAMES[cls] = name


def _name(cls: type) -> str:
    return _NAMES.get(cls) or f"{cls.__module__}.{cls.__qualname__}"


def encode(value: Any) -> Any:
    """``value`` as JSON-safe data: registered dataclasses, lazy strings, NaN survive."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = _name(type(value))
        if _REGISTRY.get(name) is not type(value):
            raise TypeError(f"{name} is not registered for the results cache")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__t": name, "f": fields}
    if isinstance(value, LazyString):
        return {"__l": str(value._args[0]), "kw": encode(value._kwargs)}
    if isinstance(value, dict):
        return {"__d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__f": repr(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any) -> Any:
    """The value :func:`encode` was given (sequences come back as tuples)."""
    if isinstance(data, list):
        return tuple(decode(v) for v in data)
    if not isinstance(data, dict):
        return data
    if "__t" in data:
        cls = _REGISTRY[data["__t"]]
        return cls(**{name: decode(v) for name, v in data["f"].items()})
    if "__l" in data:
        return lazy_gettext(data["__l"], **decode(data["kw"]))
    if "__d" in data:
        return {decode(k): decode(v) for k, v in data["__d"]}
    if "__f" in data:
        return float(data["__f"])
    raise ValueError("unknown entry in the results cache")
