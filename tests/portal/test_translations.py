"""The UI speaks Hindi: the catalogue is complete and the committed .mo matches the .po."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "hi" / "LC_MESSAGES"


def test_every_string_has_a_hindi_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 100


def test_the_compiled_catalogue_is_up_to_date_with_the_po_file():
    po = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(CATALOGUE / "django.po"))}
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(CATALOGUE / "django.mo"))}
    stale = [
        key
        for key, entry in po.items()
        if not entry.obsolete
        and (
            key not in mo
            or mo[key].msgstr != entry.msgstr
            or mo[key].msgstr_plural != {int(k): v for k, v in entry.msgstr_plural.items()}
        )
    ]
    assert stale == [], "run `make messages` and commit the .mo"


@pytest.mark.django_db
def test_a_user_who_chooses_hindi_gets_hindi_pages(client_for, staff_a):
    client = client_for(staff_a)
    client.post(reverse("set_language"), {"language": "hi", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert 'lang="hi"' in page
    assert "आपका क्षेत्राधिकार" in page
    assert "Your jurisdiction" not in page
