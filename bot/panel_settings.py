"""The panels beyond ``main``: ``PANELS=name1,name2`` and, for each, ``PANEL_<NAME>_URL``,
``PANEL_<NAME>_KEY`` and optionally ``PANEL_<NAME>_TIMEOUT_SECONDS``.

Their names depend on ``PANELS``, so they cannot be fields of the settings model: they are
read here from the same places (the environment over ``.env``, and the overrides a caller
passes over both) and handed to the model as one value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from dotenv import dotenv_values
from pydantic import SecretStr

from shop.panels import CHEAPEST, MAIN_PANEL

#: Longest panel name: it is shown in admin commands and stored with every order.
MAX_NAME_LENGTH: Final = 32
_NAME: Final = re.compile(rf"[a-z0-9-]{{1,{MAX_NAME_LENGTH}}}")
_URL: Final = re.compile(r"^https?://[^\s/?#]+(/\S*)?$", re.IGNORECASE)
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
#: The range of a panel's timeout, as PANEL_TIMEOUT_SECONDS has it.
TIMEOUT_RANGE: Final = (1.0, 300.0)


class PanelSettingError(ValueError):
    """A panel setting is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True, slots=True)
class PanelSettings:
    """One panel the shop sells from: its name, API v2 address, key and call timeout.

    ``key`` is None only for ``main`` on the embedded sandbox, which makes its own.
    """

    name: str
    url: str
    key: SecretStr | None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS


def setting_prefix(name: str) -> str:
    """``PANEL_<NAME>_``: the panel's name upper-cased, ``-`` as ``_``."""
    return f"PANEL_{name.upper().replace('-', '_')}_"


def read_extra_panels(
    env_file: str | Path | None, overrides: Mapping[str, Any]
) -> tuple[PanelSettings, ...]:
    """The panels named in ``PANELS``, from ``overrides``, the environment and ``env_file``
    (in that order of precedence; names in any case, empty values not set).

    Raises :class:`PanelSettingError` naming the first missing or malformed setting.
    """
    values = _gather(env_file, overrides)
    names = _names(values.get("PANELS", ""))
    return tuple(_panel(name, values) for name in names)


def _gather(env_file: str | Path | None, overrides: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        found.update(
            {k.upper(): v for k, v in dotenv_values(env_file, encoding="utf-8").items() if v}
        )
    found.update({k.upper(): v for k, v in os.environ.items()})
    found.update({k.upper(): str(v) for k, v in overrides.items() if v is not None})
    # As for every other setting, blank means not set.
    return {name: value.strip() for name, value in found.items() if value.strip()}


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    for name in names:
        if not _NAME.fullmatch(name) or name in (MAIN_PANEL, CHEAPEST):
            raise PanelSettingError(
                "PANELS is malformed: expected comma-separated panel names of lower-case"
                f" letters, digits and -, up to {MAX_NAME_LENGTH} characters, other than"
                f" {MAIN_PANEL} (the panel of PANEL_API_URL) and {CHEAPEST}; fix it in the"
                " environment or in .env"
            )
    if len(set(names)) != len(names):
        raise PanelSettingError(
            "PANELS is malformed: a panel is named twice; fix it in the environment or in .env"
        )
    return names


def _panel(name: str, values: Mapping[str, str]) -> PanelSettings:
    prefix = setting_prefix(name)
    url = _required(values, f"{prefix}URL", f"the API v2 address of panel {name}")
    if not _URL.match(url):
        raise _malformed(f"{prefix}URL", "an http(s) URL such as https://panel.example/api/v2")
    key = _required(values, f"{prefix}KEY", f"the API key of your account at panel {name}")
    if any(ch.isspace() for ch in key):
        raise _malformed(f"{prefix}KEY", "the API key from the panel's account page")
    timeout = DEFAULT_TIMEOUT_SECONDS
    if (text := values.get(f"{prefix}TIMEOUT_SECONDS")) is not None:
        try:
            timeout = float(text)
        except ValueError:
            timeout = -1.0
        if not TIMEOUT_RANGE[0] <= timeout <= TIMEOUT_RANGE[1]:
            raise _malformed(f"{prefix}TIMEOUT_SECONDS", "a number of seconds from 1 to 300")
    return PanelSettings(name, url.rstrip("/"), SecretStr(key), timeout)


def _required(values: Mapping[str, str], setting: str, expected: str) -> str:
    value = values.get(setting)
    if value is None:
        raise PanelSettingError(
            f"{setting} is not set: add {setting}=... to the environment or to .env"
            f" (see .env.example); expected {expected}"
        )
    return value


def _malformed(setting: str, expected: str) -> PanelSettingError:
    return PanelSettingError(
        f"{setting} is malformed: expected {expected}; fix it in the environment or in .env"
    )
