"""The console speaks English, Portuguese (Brazil) and Spanish: from the browser, or as the agent chose."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

LOCALES = Path(settings.BASE_DIR) / "locale"
# The root catalogue and every app's own (routing/locale, customers/locale, ...).
CATALOGUES = [LOCALES, *sorted(path for path in Path(settings.BASE_DIR).glob("*/locale") if path.is_dir())]


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


def signed_in(user, **headers):
    client = Client(headers=headers)
    client.force_login(user)
    return client


def test_the_browser_language_is_the_default(ana):
    assert "Bandeja de entrada" in signed_in(ana, accept_language="es-ES,es;q=0.9").get("/").content.decode()
    assert "Caixa de entrada" in signed_in(ana, accept_language="pt-BR").get("/").content.decode()
    assert "Inbox" in signed_in(ana, accept_language="en-US").get("/").content.decode()


def test_the_agents_choice_wins_over_the_browser(ana):
    client = signed_in(ana, accept_language="es")
    response = client.post("/settings/", {"language": "pt-br", "time_zone": "America/Sao_Paulo"}, follow=True)
    assert "Preferências salvas." in response.content.decode()
    ana.agent.refresh_from_db()
    assert (ana.agent.language, ana.agent.time_zone) == ("pt-br", "America/Sao_Paulo")
    page = client.get("/").content.decode()
    assert "Caixa de entrada" in page and "Sem responsável" in page


def test_an_unknown_time_zone_is_refused(ana):
    response = signed_in(ana).post("/settings/", {"language": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "Mars/Olympus" not in ana.agent.time_zone


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parent.name)
@pytest.mark.parametrize("language", ["pt_BR", "es"])
def test_every_console_string_is_translated_and_compiled(language, catalogue):
    po = (catalogue / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.M) and not re.search(
        r'^msgstr(\[\d\])? ""\n"', e, re.M)]
    assert untranslated == [], f"{len(untranslated)} untranslated in {language}"
    assert "#, fuzzy" not in po
    mo = catalogue / language / "LC_MESSAGES" / "django.mo"
    assert mo.stat().st_mtime >= (catalogue / language / "LC_MESSAGES" / "django.po").stat().st_mtime - 1
