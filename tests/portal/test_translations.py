"""The UI speaks Hindi: the catalogue is complete and the committed .mo matches the .po."""

import os
import shutil
import subprocess
import sys
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


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """What `make messages` would extract from a copy of the tree is already in the .po, so
    a new string cannot ship without its Hindi."""
    if not shutil.which("xgettext"):
        if os.environ.get("BLOODBOND_CI"):
            pytest.fail("CI needs gettext (apt-get install gettext)")
        pytest.skip("no xgettext")
    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        source = root / name.decode()
        if source.is_file():
            target = tmp_path / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "hi", "--ignore=static/vendor"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "VAR_DIR": str(tmp_path / "var")},
    )
    extracted = polib.pofile(str(tmp_path / "locale/hi/LC_MESSAGES/django.po"))
    missing = [
        (entry.msgctxt, entry.msgid)
        for entry in extracted
        if not entry.obsolete and (entry.fuzzy or not entry.translated())
    ]
    assert missing == [], "run `make messages` and translate these"
