"""Translations complete by construction: every string the code marks for translation must be translated.

The strings are extracted the way `makemessages` does (xgettext with Django's keywords, templates through
Django's `templatize`), so nothing that an agent or customer can see escapes the check because nobody copied
it into a .po file. The translations are read from the compiled catalogues (every `locale/` directory of the
project: the root one and each app's own), which is what the running site uses: an entry that is missing,
empty or fuzzy is not there. The web chat widget carries its own dictionaries (it runs on other sites, without
Django's catalogues): every key of its English dictionary must have a non-empty text in every other language.
"""
import gettext
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib
from django.utils.translation.template import templatize

PYTHON_KEYWORDS = [
    "--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2", "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3", "--keyword=pgettext_lazy:1c,2", "--keyword=npgettext_lazy:1c,2,3",
]
SKIPPED_DIRECTORIES = {".venv", "node_modules", "tests", "bench", "migrations", "var", "media", "staticfiles", ".git"}
WIDGET_LANGUAGES = {"pt_BR": "pt-BR", "es": "es"}


@dataclass(frozen=True, order=True)
class Msg:
    """One translatable string: its id, plural id and context as the catalogues key them."""

    msgid: str
    plural: str = ""
    context: str = ""

    def __str__(self):
        return f"{self.context}|{self.msgid}" if self.context else self.msgid


def source_files(root):
    """The project's Python modules and Django templates (tests, benchmarks and migrations show nothing to users)."""
    python, templates = [], []
    for path in sorted(Path(root).rglob("*")):
        relative = path.relative_to(root)
        if any(part in SKIPPED_DIRECTORIES for part in relative.parts[:-1]) or not path.is_file():
            continue
        if path.suffix == ".py":
            python.append(path)
        elif path.suffix in (".html", ".txt") and "templates" in relative.parts:
            templates.append(path)
    return python, templates


def _xgettext(paths, workdir):
    output = Path(workdir) / "messages.pot"
    subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-location", "--no-wrap", "--force-po",
         *PYTHON_KEYWORDS, f"--output={output}", *map(str, paths)],
        check=True, capture_output=True,
    )
    return [Msg(entry.msgid, entry.msgid_plural or "", entry.msgctxt or "") for entry in polib.pofile(str(output))]


def extract(python_files, template_files):
    """Every translatable string of these files."""
    with tempfile.TemporaryDirectory() as workdir:
        templatized = []
        for index, template in enumerate(template_files):
            target = Path(workdir) / f"template_{index}.py"
            target.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)), encoding="utf-8")
            templatized.append(target)
        paths = [*python_files, *templatized]
        return set(_xgettext(paths, workdir)) if paths else set()


def catalogue_files(root, language):
    """The compiled catalogues of one language: the root locale/ and every app's <app>/locale/."""
    return sorted(
        path for path in Path(root).glob(f"**/locale/{language}/LC_MESSAGES/django.mo")
        if not any(part in SKIPPED_DIRECTORIES for part in path.relative_to(root).parts)
    )


@dataclass
class Catalogue:
    """The compiled catalogues of one language, merged: {key: text} and how many plural forms it has."""

    texts: dict
    plural_forms: int = 2


def translations(mo_files):
    """The catalogues of these files together (empty and fuzzy entries are never compiled)."""
    catalogue = Catalogue({})
    for mo in mo_files:
        with open(mo, "rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        catalogue.texts.update(compiled._catalog)
        forms = re.search(r"nplurals\s*=\s*(\d+)", compiled.info().get("plural-forms", ""))
        if forms:
            catalogue.plural_forms = max(catalogue.plural_forms, int(forms[1]))
    return catalogue


def _translated(msg, catalogue):
    key = f"{msg.context}\x04{msg.msgid}" if msg.context else msg.msgid
    if msg.plural:
        return all(catalogue.texts.get((key, form)) for form in range(catalogue.plural_forms))
    return bool(catalogue.texts.get(key))


def missing(messages, catalogue):
    """The strings without a (non-empty) translation in every form, sorted."""
    return sorted(msg for msg in messages if msg.msgid and not _translated(msg, catalogue))


def widget_dictionaries(widget_source):
    """The web chat widget's STRINGS object: {language: {key: text}}."""
    match = re.search(r"var STRINGS = (\{.*?\n  \});", widget_source, re.S)
    if match is None:
        raise ValueError("The widget has no STRINGS dictionary.")
    as_json = re.sub(r'^(\s*)(?:"([\w-]+)"|(\w+)):', lambda m: f'{m[1]}"{m[2] or m[3]}":', match[1], flags=re.M)
    as_json = re.sub(r'(\s|,|\{)(\w+): "', r'\1"\2": "', as_json)
    return json.loads(as_json)


def widget_missing(dictionaries, widget_language):
    """Keys of the English dictionary with no text in `widget_language`."""
    theirs = dictionaries.get(widget_language, {})
    return sorted(key for key in dictionaries["en"] if not str(theirs.get(key, "")).strip())


def report(root, language):
    """Everything untranslated in `language` (a locale directory name, e.g. "pt_BR"): catalogue keys, widget keys."""
    messages = extract(*source_files(root))
    untranslated = [str(msg) for msg in missing(messages, translations(catalogue_files(root, language)))]
    widget = Path(root) / "static" / "webchat" / "widget.js"
    widget_gaps = widget_missing(widget_dictionaries(widget.read_text(encoding="utf-8")), WIDGET_LANGUAGES[language])
    return untranslated, widget_gaps
