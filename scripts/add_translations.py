"""Append translations to the root catalogues without reformatting them: `python scripts/add_translations.py FILE`.

FILE is a Python module defining T = {msgid: (pt_BR, es)} and optionally
PLURALS = {(msgid, msgid_plural): ([pt_BR forms], [es forms])}. Entries already in a catalogue are skipped;
the catalogues are compiled afterwards.
"""
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("pt_BR", "es")


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def entry_lines(msgid, translation, plural=None):
    lines = ["#, python-format"] if "%(" in msgid else []
    lines.append(f"msgid {quoted(msgid)}")
    if plural is None:
        lines.append(f"msgstr {quoted(translation)}")
    else:
        lines.append(f"msgid_plural {quoted(plural)}")
        lines += [f"msgstr[{index}] {quoted(form)}" for index, form in enumerate(translation)]
    return "\n".join(lines)


def main(path):
    module = runpy.run_path(path)
    singles, plurals = module.get("T", {}), module.get("PLURALS", {})
    for index, language in enumerate(LANGUAGES):
        po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        text = po.read_text(encoding="utf-8")
        new = [entry_lines(msgid, texts[index]) for msgid, texts in singles.items()
               if f"\nmsgid {quoted(msgid)}\n" not in text]
        new += [entry_lines(msgid, texts[index], plural) for (msgid, plural), texts in plurals.items()
                if f"\nmsgid {quoted(msgid)}\n" not in text]
        if new:
            po.write_text(text.rstrip("\n") + "\n\n" + "\n\n".join(new) + "\n", encoding="utf-8")
        subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
        print(f"{language}: {len(new)} added")


if __name__ == "__main__":
    main(sys.argv[1])
