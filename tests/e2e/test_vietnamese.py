"""The portal in Vietnamese at 390 px: a user picks Tiếng Việt in the footer, then walks the
home page, the donors list, a camp table, the dashboard, the public pledge page, a child's
page and the call desk. Each
speaks Vietnamese (strings from locale/vi), no main heading is left in English, nothing
scrolls sideways, and dates read dd/mm/yyyy."""

import re
import unicodedata
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, fits_width, sign_in
from tests.factories import (
    CampFactory,
    DonationFactory,
    DonorFactory,
    make_assignment,
    make_patient,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A day and a month name, English ("1 Dec", "Dec. 1") or Vietnamese ("1 Tháng 12", with or
# without the year), is a date not written dd/mm/yyyy (or dd/mm).
NOT_DD_MM = re.compile(
    r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d{1,2}\b"
    r"|\b\d{1,2} [Tt]háng \d{1,2}\b"
)


@pytest.fixture
def camp_day(units):
    """An open camp today with one entry, a donor of the unit, a past camp for the
    dashboard; the names are the data's, the same in every language."""
    today = timezone.localdate()
    camp = CampFactory(unit=units.station_a, name="Bac Giang Police Lines camp")
    donor = DonorFactory(unit=units.station_a, name="Nguyen Van An", blood_group="O+")
    DonationFactory(donor=donor, camp=camp, blood_centre=camp.blood_centre, donated_on=today)
    past = CampFactory(
        unit=units.station_a,
        name="Kotwali winter camp",
        held_on=today - timedelta(days=30),
        status="closed",
    )
    DonationFactory(
        donor=DonorFactory(unit=units.station_a, name="Tran Thi Binh"),
        camp=past,
        blood_centre=past.blood_centre,
        donated_on=past.held_on,
    )
    return camp


@pytest.fixture
def child(units):
    """A child of the unit due in three days with no confirmed donor (an at-risk row on the
    dashboard, a guardian's row on the call desk), and a donor asked to give that day."""
    today = timezone.localdate()
    riya = make_patient(
        units.station_a,
        name="Pham Thi Riya",
        last_transfused_on=today - timedelta(days=18),
        guardians=[{"name": "Pham Van Cha", "phone": "+919000012345", "relation": "father"}],
    )
    make_assignment(
        riya.transfusions.get(status="due"), DonorFactory(unit=units.station_a, name="Le Van Cu")
    )
    return riya


def pages(camp, child):
    """(name, path, Vietnamese strings the page must show)."""
    return [
        ("home", "/", ["Phạm vi quản lý của bạn", "Công việc của bạn"]),
        ("donors", "/donors/", ["Người hiến máu"]),
        (
            "camp-table",
            f"/camps/{camp.pk}/table/",
            ["Số điện thoại di động của người hiến máu", "Tìm", "Tổng cộng", "Mục ghi gần nhất"],
        ),
        ("dashboard", "/dashboard/", ["Bảng tổng quan", "Đơn vị máu theo buổi hiến máu"]),
        ("pledge", "/pledge/", ["Đăng ký hiến máu"]),
        ("child", f"/children/{child.pk}/", ["Lần truyền máu tiếp theo", "Ngày sinh"]),
        ("call-desk", "/calls/", ["Bàn gọi điện", "Xác nhận đã trở thành lần hiến máu"]),
    ]


def headings(page) -> list[str]:
    """The main headings (h1, h2) a reader sees."""
    return [
        " ".join(text.split())
        for text in page.locator("main h1:visible, main h2:visible").all_inner_texts()
    ]


def test_the_portal_in_vietnamese_at_phone_width(
    live_server, browser, phone, screenshot, staff_a, units, camp_day, child
):
    walk = pages(camp_day, child)
    names = {camp_day.name, "Nguyen Van An", "Tran Thi Binh", "Kotwali winter camp"}
    names |= {child.name, f"{child.name} {child.blood_group}", "Pham Van Cha", "Le Van Cu"}

    # The same pages in English first: their headings are what must not be left over.
    english = {}
    sign_in(phone, live_server.url, "staff_a")
    for name, path, _strings in walk:
        phone.goto(f"{live_server.url}{path}")
        english[name] = set(headings(phone)) - names

    vi = browser.new_context(viewport=PHONE, locale="en-IN")
    try:
        page = vi.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(page, live_server.url, "staff_a")
        switch = page.get_by_test_id("language-switch")
        # Django's own name for the language, decomposed (NFD) as Django ships it.
        offered = switch.locator("select option[value=vi]").inner_text()
        assert unicodedata.normalize("NFC", offered) == "Tiếng Việt"
        switch.locator("select").select_option("vi")
        switch.get_by_role("button").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")

        for name, path, strings in walk:
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("html")).to_have_attribute("lang", "vi")
            main = page.get_by_role("main")
            for text in strings:
                expect(main).to_contain_text(text)
            shown = headings(page)
            assert shown, name
            left = english[name] & set(shown)
            assert not left, f"{name}: headings left in English: {left}"
            text = main.inner_text()
            assert not NOT_DD_MM.search(unicodedata.normalize("NFC", text)), (
                name,
                NOT_DD_MM.findall(unicodedata.normalize("NFC", text)),
            )
            assert fits_width(page), name
            screenshot(page, f"vi-{name}-phone")

        # Dates as Vietnam writes them: the camp table's day, dd/mm/yyyy.
        page.goto(f"{live_server.url}/camps/{camp_day.pk}/table/")
        day = camp_day.held_on.strftime("%d/%m/%Y")
        expect(page.get_by_role("main")).to_contain_text(day)
        # A day with no year, dd/mm: the child's due day on the call desk and the dashboard.
        due = child.next_due_on.strftime("%d/%m")
        page.goto(f"{live_server.url}/calls/")
        expect(page.get_by_role("main")).to_contain_text(f"{child.name}")
        expect(page.get_by_role("main")).to_contain_text(due)
        page.goto(f"{live_server.url}/dashboard/")
        expect(page.get_by_role("main")).to_contain_text(due)
        assert errors == []
    finally:
        vi.close()
