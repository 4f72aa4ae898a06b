"""The automation app's own catalogue is complete in Portuguese and Spanish, and compiled."""
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "automation" / "locale"


@pytest.mark.parametrize("language", ["pt_BR", "es"])
def test_every_automation_string_is_translated_and_compiled(language):
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    assert catalogue.untranslated_entries() == [] and catalogue.fuzzy_entries() == []
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    assert {entry.msgid for entry in compiled} >= {entry.msgid for entry in catalogue.translated_entries()}
