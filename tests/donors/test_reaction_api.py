"""An adverse reaction on a donation through the API (donations/{id}/reaction/): read and
noted through the camp table's service (donations.donation_reaction_record), scoped like the
donations, audited like the page, refused with the page's words, and in the schema."""

import pytest
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.models import Donation
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a)


@pytest.fixture
def donation(camp, staff_a):
    return entry(camp, staff_a)


def entry(camp, staff, **fields):
    return DonationFactory(
        donor=DonorFactory(unit=camp.unit),
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        recorded_by=staff,
        **fields,
    )


def url(donation_or_pk):
    pk = getattr(donation_or_pk, "pk", donation_or_pk)
    return f"/api/v1/donations/{pk}/reaction/"


def put(client, donation, **body):
    return client.put(url(donation), body, format="json")


def reaction_events(donation):
    return AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(donation.pk))


def test_staff_note_a_reaction_read_it_back_and_see_it_on_the_donation(
    api_client_for, staff_a, donation
):
    client = api_client_for(staff_a)
    response = put(client, donation, reaction="vasovagal", reaction_note="  fainted   twice ")

    assert response.status_code == 200
    assert response.json() == {
        "donation": donation.pk,
        "reaction": "vasovagal",
        "reaction_note": "fainted twice",
    }
    donation.refresh_from_db()
    assert (donation.reaction, donation.reaction_note, donation.outcome) == (
        "vasovagal",
        "fainted twice",
        "collected",  # the unit still counts
    )
    assert client.get(url(donation)).json()["reaction"] == "vasovagal"
    detail = client.get(f"/api/v1/donations/{donation.pk}/").json()
    assert (detail["reaction"], detail["reaction_note"]) == ("vasovagal", "fainted twice")


def test_the_reaction_is_audited_as_on_the_camp_table(api_client_for, staff_a, donation):
    put(api_client_for(staff_a), donation, reaction="haematoma")

    event = reaction_events(donation).get()
    assert event.actor == staff_a
    assert event.details["reaction_from"] == "" and event.details["reaction_to"] == "haematoma"


def test_a_reaction_noted_by_mistake_is_cleared(api_client_for, staff_a, donation):
    client = api_client_for(staff_a)
    put(client, donation, reaction="other", reaction_note="felt cold")

    response = put(client, donation, reaction="")

    assert response.status_code == 200
    assert response.json()["reaction"] == "" and response.json()["reaction_note"] == ""
    donation.refresh_from_db()
    assert (donation.reaction, donation.reaction_note) == ("", "")


def test_a_reaction_is_noted_after_the_camp_closed(api_client_for, coordinator, camp, donation):
    """A delayed faint reported the next day: the donation's service takes it; only the
    camp table, a day's desk, is for open camps."""
    camp.status = "closed"
    camp.save()
    response = put(api_client_for(coordinator), donation, reaction="vasovagal")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"reaction": ["This field is required."]}),
        ({"reaction": None}, {"reaction": ["This field may not be null."]}),
        ({"reaction": "broken-arm"}, {"reaction": ["Choose a reaction from the list."]}),
        ({"reaction": "other"}, {"reaction_note": ["Say what happened."]}),
        (
            {"reaction": "haematoma", "reaction_note": "x" * 201},
            {"reaction_note": ["Keep the note to 200 characters."]},
        ),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(
    api_client_for, staff_a, donation, body, errors
):
    response = api_client_for(staff_a).put(url(donation), body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    donation.refresh_from_db()
    assert donation.reaction == ""
    assert not reaction_events(donation).exists()


def test_a_deferral_takes_no_reaction(api_client_for, staff_a, camp):
    deferred = entry(camp, staff_a, outcome="deferred", bag_number="", bag_volume_ml=None)
    response = put(api_client_for(staff_a), deferred, reaction="haematoma")
    assert response.status_code == 400
    assert response.json() == {
        "reaction": ["This donor was deferred at screening: no blood was drawn."]
    }


@pytest.mark.parametrize("method", ["get", "put"])
def test_a_donation_outside_the_callers_units_is_not_found(
    api_client_for, staff_b, donation, method
):
    client = api_client_for(staff_b)
    response = getattr(client, method)(url(donation), {"reaction": "vasovagal"}, format="json")
    assert response.status_code == 404
    missing = getattr(client, method)(url(999999), {"reaction": "vasovagal"}, format="json")
    assert missing.status_code == 404
    assert response.json() == missing.json()  # nothing tells "not yours" from "not there"
    donation.refresh_from_db()
    assert donation.reaction == ""


@pytest.mark.parametrize("persona", ["staff_a", "coordinator", "admin_user"])
def test_every_role_in_scope_notes_reactions(request, api_client_for, donation, persona):
    client = api_client_for(request.getfixturevalue(persona))
    assert put(client, donation, reaction="vasovagal").status_code == 200


def test_anonymous_callers_are_refused(client, donation):
    assert client.get(url(donation)).status_code in (401, 403)
    response = client.put(url(donation), {"reaction": "vasovagal"}, content_type="application/json")
    assert response.status_code in (401, 403)
    donation.refresh_from_db()
    assert donation.reaction == ""


def test_the_schema_documents_the_reaction(api_client_for, coordinator):
    schema = api_client_for(coordinator).get("/api/v1/schema/?format=json").json()
    path = schema["paths"]["/api/v1/donations/{id}/reaction/"]
    assert set(path) >= {"get", "put"}
    assert {"200", "400"} <= set(path["put"]["responses"])
    components = schema["components"]["schemas"]

    def component(ref):
        return components[ref.rsplit("/", 1)[1]]

    fields = component(path["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    choices = fields["properties"]["reaction"]["oneOf"]
    kinds = {value for ref in choices for value in component(ref["$ref"])["enum"]}
    assert kinds == {"", "vasovagal", "haematoma", "other"}
    assert "reaction_note" in fields["properties"] and fields["required"] == ["reaction"]
    assert "map from field name" in path["put"]["responses"]["400"]["description"]
    donation_fields = components["Donation"]["properties"]
    assert donation_fields["reaction"]["readOnly"] is True


# --- parity: the camp table and the API say the same -------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"reaction": "broken-arm"},
        {"reaction": "other"},
        {"reaction": "other", "reaction_note": "   "},
        {"reaction": "haematoma", "reaction_note": "y" * 201},
    ],
)
def test_the_page_and_the_api_refuse_the_same_input_with_the_same_message(
    client_for, api_client_for, staff_a, camp, donation, body
):
    page = client_for(staff_a).post(
        reverse("camps:table-reaction", args=[camp.pk, donation.pk]), body
    )
    api = put(api_client_for(staff_a), donation, **body)

    assert page.status_code == api.status_code == 400
    form_errors = {field: list(messages) for field, messages in page.context["form"].errors.items()}
    assert form_errors == api.json()
    assert Donation.objects.get(pk=donation.pk).reaction == ""


def test_the_page_and_the_api_refuse_a_reaction_on_a_deferral_alike(
    client_for, api_client_for, staff_a, camp
):
    deferred = entry(camp, staff_a, outcome="deferred", bag_number="", bag_volume_ml=None)
    page = client_for(staff_a).post(
        reverse("camps:table-reaction", args=[camp.pk, deferred.pk]), {"reaction": "vasovagal"}
    )
    api = put(api_client_for(staff_a), deferred, reaction="vasovagal")
    assert page.status_code == api.status_code == 400
    assert page.context["form"].errors == api.json()


def test_the_camp_table_still_offers_the_kinds_as_buttons_and_a_bounded_note(
    client_for, staff_a, camp, donation
):
    """The form leaves judging to the service, and still offers only the list's kinds."""
    html = (
        client_for(staff_a, htmx=True)  # the fragment, as htmx asks for it
        .get(reverse("camps:table-reaction", args=[camp.pk, donation.pk]))
        .content.decode()
    )
    for value in ("", "vasovagal", "haematoma", "other"):
        assert f'name="reaction" value="{value}"' in html
    assert html.count('type="radio"') == 4
    assert 'name="reaction_note"' in html and 'maxlength="200"' in html
