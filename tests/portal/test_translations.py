"""The UI speaks Hindi and Vietnamese: each catalogue is complete and its committed .mo
matches its .po."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["hi", "vi"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_has_a_translation(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date_with_the_po_file(language):
    catalogue = LOCALE / language / "LC_MESSAGES"
    po = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(catalogue / "django.po"))}
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(catalogue / "django.mo"))}
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


@pytest.mark.django_db
def test_a_user_who_chooses_vietnamese_gets_vietnamese_pages(client_for, staff_a):
    said = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))}
    client = client_for(staff_a)
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert 'lang="vi"' in page
    assert said["Your jurisdiction"] in page
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
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *(f"-l{language}" for language in LANGUAGES),
            "--ignore=static/vendor",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "VAR_DIR": str(tmp_path / "var")},
    )
    missing = [
        (language, entry.msgctxt, entry.msgid)
        for language in LANGUAGES
        for entry in polib.pofile(str(tmp_path / f"locale/{language}/LC_MESSAGES/django.po"))
        if not entry.obsolete and (entry.fuzzy or not entry.translated())
    ]
    assert missing == [], "run `make messages` and translate these"
