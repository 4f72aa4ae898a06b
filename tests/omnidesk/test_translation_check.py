"""Translations complete by construction: the check finds every translatable string, and fails on a missing one."""
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from omnidesk import translation_check
from omnidesk.translation_check import Msg

ROOT = Path(settings.BASE_DIR)

WIDGET = """
  var STRINGS = {
    en: {
      open: "Open chat", close: "Close chat",
      rate: "Rate {n} out of 5"
    },
    "pt-BR": {
      open: "Abrir chat", close: "",
      rate: "Nota {n} de 5"
    },
    es: {
      open: "Abrir chat", close: "Cerrar chat", rate: "Nota {n} de 5"
    }
  };
"""


@pytest.mark.parametrize("language", ["pt_BR", "es"])
def test_every_string_of_the_project_is_translated(language):
    untranslated, widget_gaps = translation_check.report(ROOT, language)
    assert untranslated == [], f"{len(untranslated)} strings untranslated in {language}: {untranslated}"
    assert widget_gaps == [], f"widget keys untranslated in {language}: {widget_gaps}"


def _compile(po_text, directory):
    target = directory / "locale" / "pt_BR" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.po").write_text(po_text, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(target / "django.po")], check=True)


PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'


def test_a_string_missing_from_the_catalogue_fails_the_check(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        'from django.utils.translation import gettext as _, gettext_lazy, pgettext, ngettext\n'
        'A = _("Resolved")\nB = gettext_lazy("A sentence nobody translated")\nC = pgettext("verb", "Open")\n'
        'D = ngettext("%(n)s call", "%(n)s calls", 2)\n',
        encoding="utf-8")
    (tmp_path / "app" / "templates").mkdir()
    (tmp_path / "app" / "templates" / "page.html").write_text(
        '{% load i18n %}<h1>{% translate "Inbox" %}</h1><p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}'
        '</p>{% translate "Empty in the catalogue" %} {% translate "Fuzzy in the catalogue" %}', encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('from django.utils.translation import gettext as _\n_("Test only")\n')
    _compile(PO_HEADER + 'msgid "Resolved"\nmsgstr "Resolvida"\n\nmsgid "Inbox"\nmsgstr "Caixa de entrada"\n\n'
             'msgid "Hello %(name)s"\nmsgstr "Olá %(name)s"\n\nmsgid "Empty in the catalogue"\nmsgstr ""\n\n'
             '#, fuzzy\nmsgid "Fuzzy in the catalogue"\nmsgstr "Difuso"\n\n'
             'msgctxt "verb"\nmsgid "Open"\nmsgstr "Abrir"\n\n'
             'msgid "%(n)s call"\nmsgid_plural "%(n)s calls"\nmsgstr[0] "%(n)s ligação"\nmsgstr[1] ""\n',
             tmp_path / "app")

    messages = translation_check.extract(*translation_check.source_files(tmp_path))
    catalogue = translation_check.translations(translation_check.catalogue_files(tmp_path, "pt_BR"))

    assert Msg("Test only") not in messages
    assert translation_check.missing(messages, catalogue) == [
        Msg("%(n)s call", "%(n)s calls"), Msg("A sentence nobody translated"), Msg("Empty in the catalogue"),
        Msg("Fuzzy in the catalogue"),
    ]


def test_every_catalogue_of_a_language_counts(tmp_path):
    """A string translated in an app's own catalogue is translated, though the root catalogue lacks it."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text('{% load i18n %}{% translate "Routing queue" %}')
    _compile(PO_HEADER + 'msgid "Inbox"\nmsgstr "Caixa de entrada"\n', tmp_path)
    messages = translation_check.extract(*translation_check.source_files(tmp_path))
    assert translation_check.missing(messages, translation_check.translations(
        translation_check.catalogue_files(tmp_path, "pt_BR"))) == [Msg("Routing queue")]

    _compile(PO_HEADER + 'msgid "Routing queue"\nmsgstr "Fila"\n', tmp_path / "routing")
    assert translation_check.missing(messages, translation_check.translations(
        translation_check.catalogue_files(tmp_path, "pt_BR"))) == []


def test_a_widget_key_without_text_in_a_language_fails_the_check():
    dictionaries = translation_check.widget_dictionaries(WIDGET)
    assert translation_check.widget_missing(dictionaries, "pt-BR") == ["close"]
    assert translation_check.widget_missing(dictionaries, "es") == []
