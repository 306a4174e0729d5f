"""The WordPress plugin's files: valid PHP, and every string it shows translated into French (the .pot lists
what the code says, the French .po translates all of it, and the shipped .mo is that .po compiled)."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.wordpress import PLUGIN

LANGUAGES = PLUGIN / "languages"
PHP_FILES = sorted(PLUGIN.rglob("*.php"))
KEYWORDS = ["__", "esc_html__", "esc_attr__", "_e", "esc_html_e", "_n:1,2", "_x:1,2c"]


@pytest.mark.skipif(not shutil.which("php"), reason="php-cli is not installed")
@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: str(p.relative_to(PLUGIN)))
def test_every_php_file_parses(path: Path) -> None:
    done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _catalogue(mo: Path) -> dict[object, str]:
    with mo.open("rb") as handle:
        return {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if k}  # type: ignore[attr-defined]


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed")
def test_every_string_the_plugin_shows_is_in_the_template_and_translated(tmp_path: Path) -> None:
    extracted = tmp_path / "extracted.pot"
    subprocess.run(["xgettext", "--language=PHP", "--from-code=UTF-8", *(f"--keyword={k}" for k in KEYWORDS),
                    "-o", str(extracted), *map(str, PHP_FILES)], check=True, capture_output=True)
    said = subprocess.run(["msgcmp", str(LANGUAGES / "moderation-service-fr_FR.po"), str(extracted)],
                          capture_output=True, text=True)
    assert said.returncode == 0, f"untranslated strings:\n{said.stderr}"
    shipped = LANGUAGES / "moderation-service.pot"
    for one, other in ((extracted, shipped), (shipped, extracted)):  # the same strings both ways
        same = subprocess.run(["msgcmp", "--use-untranslated", str(one), str(other)], capture_output=True, text=True)
        assert same.returncode == 0, f"the .pot is out of date (regenerate it with xgettext):\n{same.stderr}"
    fresh = tmp_path / "fr.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(LANGUAGES / "moderation-service-fr_FR.po")], check=True)
    assert _catalogue(fresh) == _catalogue(LANGUAGES / "moderation-service-fr_FR.mo"), "the .mo is not the .po compiled"
    assert all(v.strip() for v in _catalogue(fresh).values())
