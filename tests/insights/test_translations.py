"""The insights app keeps its own catalogue: every string translated to pt_BR and es, and compiled."""
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALES = Path(settings.BASE_DIR) / "insights" / "locale"


@pytest.mark.parametrize("language", ["pt_BR", "es"])
def test_every_insights_string_is_translated_and_compiled(language):
    po_path = LOCALES / language / "LC_MESSAGES" / "django.po"
    po = po_path.read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.M) and not re.search(
        r'^msgstr(\[\d\])? ""\n"', e, re.M)]
    assert untranslated == [], f"{len(untranslated)} untranslated in {language}"
    assert "#, fuzzy" not in po
    assert (LOCALES / language / "LC_MESSAGES" / "django.mo").stat().st_mtime >= po_path.stat().st_mtime - 1
