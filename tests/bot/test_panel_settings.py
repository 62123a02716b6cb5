"""Several panels: PANELS names them; each has its URL, key and optional timeout; a missing or
malformed one stops the start with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
BASE = {"bot_token": TOKEN, "panel_api_key": "main-key"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (*(field.upper() for field in Settings.model_fields), "PANELS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_one_panel_by_default_named_main() -> None:
    settings = load_settings(env_file=None, **BASE, panel_api_url="http://a.example/api/v2")

    [main] = settings.panels
    assert (main.name, main.url, main.timeout_seconds) == ("main", "http://a.example/api/v2", 30)
    assert main.key is not None
    assert main.key.get_secret_value() == "main-key"


def test_more_panels_from_a_dotenv_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "PANELS=cheap, backup-2\n"
        "PANEL_CHEAP_URL=https://cheap.example/api/v2/\n"
        "PANEL_CHEAP_KEY=cheap-key\n"
        "PANEL_BACKUP_2_URL=http://127.0.0.1:9000/api/v2\n"
        "PANEL_BACKUP_2_KEY=from-file\n"
        "PANEL_BACKUP_2_TIMEOUT_SECONDS=5\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PANEL_BACKUP_2_KEY", "from-environment")

    settings = load_settings(env_file=tmp_path / ".env", **BASE)

    assert [(p.name, p.url, p.timeout_seconds) for p in settings.panels] == [
        ("main", "https://smmai.net/api/v2", 30),
        ("cheap", "https://cheap.example/api/v2", 30),
        ("backup-2", "http://127.0.0.1:9000/api/v2", 5),
    ]
    keys = [p.key.get_secret_value() for p in settings.panels if p.key is not None]
    assert keys == ["main-key", "cheap-key", "from-environment"]


def test_overrides_name_panels_as_the_environment_would() -> None:
    settings = load_settings(
        env_file=None,
        **BASE,
        panels="second",
        panel_second_url="http://127.0.0.1:1/api/v2",
        panel_second_key="k2",
    )

    assert [p.name for p in settings.panels] == ["main", "second"]


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (
            {"panels": "Cheap"},
            "PANELS is malformed: expected comma-separated panel names of lower-case letters",
        ),
        ({"panels": "main"}, "PANELS is malformed"),
        ({"panels": "cheapest"}, "PANELS is malformed"),
        ({"panels": "a,a", "panel_a_url": "http://a/api", "panel_a_key": "k"}, "named twice"),
        ({"panels": "cheap"}, "PANEL_CHEAP_URL is not set: add PANEL_CHEAP_URL=..."),
        (
            {"panels": "cheap", "panel_cheap_url": "ftp://x", "panel_cheap_key": "k"},
            "PANEL_CHEAP_URL is malformed: expected an http(s) URL",
        ),
        (
            {"panels": "b-2", "panel_b_2_url": "http://x/api/v2"},
            "PANEL_B_2_KEY is not set",
        ),
        (
            {"panels": "b-2", "panel_b_2_url": "http://x/api/v2", "panel_b_2_key": "a b"},
            "PANEL_B_2_KEY is malformed",
        ),
        (
            {
                "panels": "cheap",
                "panel_cheap_url": "http://x/api/v2",
                "panel_cheap_key": "k",
                "panel_cheap_timeout_seconds": "0",
            },
            "PANEL_CHEAP_TIMEOUT_SECONDS is malformed: expected a number of seconds from 1 to 300",
        ),
    ],
)
def test_a_bad_panel_setting_stops_the_start_with_one_line_naming_it(
    extra: dict[str, str], line: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None, **BASE, **extra)

    assert line in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_blank_panels_setting_means_one_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANELS", "  ")

    assert [p.name for p in load_settings(env_file=None, **BASE).panels] == ["main"]
