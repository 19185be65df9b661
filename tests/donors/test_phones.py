"""Mobile numbers: one normalised form (E.164), so a person typed two ways is one donor."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from donors.models import Donor
from donors.phones import normalise_phone
from donors.services import donor_create
from tests.factories import DonorFactory


@pytest.mark.parametrize(
    "raw",
    [
        "98765 43210",
        "098765-43210",
        "919876543210",
        "+91 98765 43210",
        "0091 9876543210",
        "  9876543210 ",
    ],
)
def test_indian_mobiles_typed_any_way_become_one_number(raw):
    assert normalise_phone(raw) == "+919876543210"


def test_a_vietnamese_mobile_is_accepted():
    assert normalise_phone("+84 912 345 678") == "+84912345678"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("0512 2530000", id="kanpur-landline"),
        pytest.param("5876543210", id="ten-digits-not-starting-6-to-9"),
        pytest.param("12345", id="too-short"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(None, id="none"),
        pytest.param("abc", id="letters"),
        pytest.param("+1 650 253 0000", id="united-states"),
        pytest.param("98765 432101", id="eleven-digits"),
    ],
)
def test_anything_else_is_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(raw)

    assert refused.value.messages[0]


def test_a_refusal_quotes_what_was_typed():
    with pytest.raises(ValidationError) as refused:
        normalise_phone("0512 2530000")

    assert "0512 2530000" in refused.value.messages[0]


@pytest.mark.django_db
def test_a_family_may_share_a_number(units):
    # No unique constraint any more: the rule is donors.services.find_duplicates'.
    DonorFactory(unit=units.station_a, phone="+919876543210", name="Arun")
    DonorFactory(unit=units.station_b, phone="+919876543210", name="Meena")
    assert Donor.objects.filter(phone="+919876543210").count() == 2


@pytest.mark.django_db
def test_registering_a_known_person_typed_another_way_creates_nobody(units):
    existing = DonorFactory(
        unit=units.station_a,
        phone="+919876543210",
        name="RAVI kumar",
        date_of_birth=date(1992, 3, 4),
    )

    with pytest.raises(ValidationError) as refused:
        donor_create(
            actor=None,
            source="staff",
            phone="098765-43210",
            name="Ravi Kumar",
            sex="M",
            date_of_birth=date(1992, 3, 4),
            unit=units.station_b,
        )

    assert list(refused.value.message_dict) == ["phone"]
    # Registered at another station, seen by nobody here: "already registered", no id
    # (issue 13; an own unit's number names the donor, tests/donors/test_donors_api.py).
    message = refused.value.message_dict["phone"][0]
    assert "already registered" in message and f"#{existing.pk}" not in message
    assert list(Donor.objects.values_list("pk", flat=True)) == [existing.pk]


@pytest.mark.django_db
def test_registering_a_new_number_stores_it_normalised(units):
    donor = donor_create(
        actor=None,
        source="staff",
        phone="98765 43211",
        name="Sunita Devi",
        sex="F",
        date_of_birth=date(1995, 8, 9),
        unit=units.station_a,
    )

    donor.refresh_from_db()
    assert donor.phone == "+919876543211"


def _general_parser(text: str) -> str | None:
    """The rule as phonenumbers states it: parse, valid, an allowed region, a mobile."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        return None
    mobile = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) not in ("IN", "VN")
        or phonenumbers.number_type(number) not in mobile
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_numbers_already_in_e164_are_judged_as_the_general_parser_judges_them(settings):
    """E.164 input skips phonenumbers' general parser and its validity test: the same
    answer for Indian and Vietnamese numbers of every length and first digit, and for
    other countries' and malformed ones."""
    import random

    settings.PHONE_DEFAULT_REGION, settings.PHONE_ALLOWED_REGIONS = "IN", ["IN", "VN"]
    rng = random.Random(12)
    texts = ["+91", "+910", "+9198765432100", "+84 912 345 678", "+8409123456", "+1 650 253 0000"]
    for _ in range(3000):
        code = rng.choice(["91", "84", "1", "44", "9", "8", "911", "849"])
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 15)))
        texts.append(f"+{code}{digits}")
        texts.append(f"+91{rng.choice('0156789')}{rng.randrange(10**9):09d}")
        texts.append(f"+84{rng.choice('035789')}{rng.randrange(10**8):08d}")
    accepted = 0
    for text in texts:
        try:
            answer = normalise_phone(text)
        except ValidationError:
            answer = None
        assert answer == _general_parser(text), text
        accepted += answer is not None
    assert accepted > 1000  # the sample holds many real mobiles, not only refusals
