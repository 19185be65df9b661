"""Partners are written by camps.partners only: the pages and the API call it, it checks
the rules (unique licence, contact mobiles in E.164), writes once and audits with the actor."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from camps import partners
from camps.models import BloodCentre, Hospital, HospitalContact
from tests.factories import BloodCentreFactory, HospitalContactFactory, HospitalFactory

pytestmark = pytest.mark.django_db

BAD_PHONE = "“+9198” is not a valid mobile number (India: 10 digits starting 6–9)."


def audits(obj, action):
    return AuditEvent.objects.filter(
        action=action, content_type__model=obj._meta.model_name, object_id=str(obj.pk)
    )


def hospital_post(**contact):
    return {
        "name": "LLR Hospital",
        "kind": "day_care",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": contact.get("name", "Dr Rao"),
        "contacts-0-role": "Blood bank officer",
        "contacts-0-phone": contact.get("phone", "098390 12345"),
    }


def test_a_hospital_is_created_once_with_its_contacts_and_audited_with_the_actor(admin_user):
    hospital = partners.hospital_create(
        actor=admin_user,
        name="LLR",
        kind="day_care",
        contacts=[{"name": "Dr Rao", "role": "", "phone": "98390-12345"}],
    )
    assert Hospital.objects.count() == 1
    assert list(hospital.contacts.values_list("name", "phone")) == [("Dr Rao", "+919839012345")]
    (event,) = audits(hospital, AuditAction.CREATE)
    assert event.actor == admin_user and event.details == {"contacts": 1}


def test_a_bad_contact_number_saves_no_hospital_and_says_which_contact(admin_user):
    with pytest.raises(ValidationError) as caught:
        partners.hospital_create(
            actor=admin_user,
            name="LLR",
            contacts=[{"name": "Dr Rao", "phone": "+919839012345"}, {"name": "X", "phone": "1"}],
        )
    assert list(caught.value.message_dict) == ["contacts"]
    assert caught.value.message_dict["contacts"][0].startswith("Contact 2:")
    assert not Hospital.objects.exists() and not HospitalContact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_update_audits_the_fields_changed_and_nothing_when_nothing_changed(admin_user):
    contact = HospitalContactFactory(name="Dr Mehta", phone="+919811122233")
    hospital = contact.hospital
    same = [{"name": "Dr Mehta", "role": contact.role, "phone": "09811122233"}]
    partners.hospital_update(hospital=hospital, actor=admin_user, name=hospital.name, contacts=same)
    assert not audits(hospital, AuditAction.UPDATE).exists()
    assert hospital.contacts.get().pk == contact.pk  # the same contacts are kept, not rewritten

    partners.hospital_update(
        hospital=hospital,
        actor=admin_user,
        address="Swaroop Nagar",
        contacts=[{"name": "Dr Rao", "phone": "9839012345"}],
    )
    (event,) = audits(hospital, AuditAction.UPDATE)
    assert event.actor == admin_user and event.details == {"fields": ["address", "contacts"]}
    assert list(hospital.contacts.values_list("name", flat=True)) == ["Dr Rao"]


def test_a_blood_centre_is_created_and_changed_through_the_service_with_audit(admin_user):
    centre = partners.blood_centre_create(actor=admin_user, name="Hallet", licence_number="L1")
    partners.blood_centre_update(blood_centre=centre, actor=admin_user, name="Hallet BC")
    assert audits(centre, AuditAction.CREATE).get().actor == admin_user
    assert audits(centre, AuditAction.UPDATE).get().details == {"fields": ["name"]}
    with pytest.raises(ValidationError) as caught:
        partners.blood_centre_create(actor=admin_user, name="Other", licence_number="L1")
    assert "licence_number" in caught.value.message_dict
    assert BloodCentre.objects.count() == 1


# --- The page and the API go through the same service -------------------------------------


def test_the_page_and_the_api_create_a_hospital_alike_and_audit_it(
    client_for, api_client_for, admin_user
):
    response = client_for(admin_user).post(reverse("camps:hospital-create"), hospital_post())
    assert response.status_code == 302
    page = Hospital.objects.get()
    response = api_client_for(admin_user).post(
        "/api/v1/hospitals/",
        {
            "name": "LLR Hospital",
            "kind": "day_care",
            "contacts": [{"name": "Dr Rao", "role": "Blood bank officer", "phone": "098390 12345"}],
        },
        format="json",
    )
    assert response.status_code == 201
    api = Hospital.objects.get(pk=response.json()["id"])
    for hospital in (page, api):
        assert list(hospital.contacts.values_list("name", "phone")) == [("Dr Rao", "+919839012345")]
        assert audits(hospital, AuditAction.CREATE).get().actor == admin_user


def test_a_bad_contact_number_is_the_same_field_error_on_the_page_and_the_api(
    client_for, api_client_for, admin_user
):
    response = client_for(admin_user).post(
        reverse("camps:hospital-create"), hospital_post(phone="+9198")
    )
    assert response.status_code == 200
    assert response.context["contacts"].forms[0].errors == {"phone": [BAD_PHONE]}
    response = api_client_for(admin_user).post(
        "/api/v1/hospitals/",
        {"name": "LLR", "contacts": [{"name": "Dr Rao", "phone": "+9198"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"contacts": {"0": {"phone": [BAD_PHONE]}}}
    assert not Hospital.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_licence_number_in_use_is_the_same_field_error_on_the_page_and_the_api(
    client_for, api_client_for, admin_user
):
    BloodCentreFactory(licence_number="UP/BC/1")
    response = client_for(admin_user).post(
        reverse("camps:centre-create"), {"name": "Y", "licence_number": "UP/BC/1"}
    )
    page_errors = response.context["form"].errors["licence_number"]
    response = api_client_for(admin_user).post(
        "/api/v1/blood-centres/", {"name": "Y", "licence_number": "UP/BC/1"}
    )
    assert response.status_code == 400
    assert response.json()["licence_number"] == page_errors
    assert BloodCentre.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_editing_a_hospital_on_the_page_replaces_its_contacts_and_audits_the_change(
    client_for, admin_user
):
    contact = HospitalContactFactory(name="Dr Mehta")
    hospital = contact.hospital
    data = hospital_post(name="Dr Rao", phone="9839012345")
    data.update(
        {
            "name": hospital.name,
            "kind": hospital.kind,
            "address": "GSVM Medical College",
            "contacts-TOTAL_FORMS": "2",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(contact.pk),
            "contacts-0-name": contact.name,
            "contacts-0-phone": contact.phone,
            "contacts-0-DELETE": "on",
            "contacts-1-name": "Dr Rao",
            "contacts-1-phone": "9839012345",
        }
    )
    response = client_for(admin_user).post(reverse("camps:hospital-edit", args=[hospital.pk]), data)
    assert response.status_code == 302
    assert list(hospital.contacts.values_list("name", "phone")) == [("Dr Rao", "+919839012345")]
    assert audits(hospital, AuditAction.UPDATE).get().details == {"fields": ["address", "contacts"]}


def test_patching_a_hospitals_contacts_answers_the_new_contacts(api_client_for, admin_user):
    hospital = HospitalContactFactory(name="Dr Mehta").hospital
    response = api_client_for(admin_user).patch(
        f"/api/v1/hospitals/{hospital.pk}/",
        {"contacts": [{"name": "Dr Rao", "phone": "9839012345"}]},
        format="json",
    )
    assert response.status_code == 200
    assert [(c["name"], c["phone"]) for c in response.json()["contacts"]] == [
        ("Dr Rao", "+919839012345")
    ]
    (event,) = audits(hospital, AuditAction.UPDATE)
    assert event.actor == admin_user and event.details == {"fields": ["contacts"]}
    assert HospitalFactory._meta.model.objects.count() == 1


def test_a_contact_without_a_name_is_a_field_error_even_in_a_patch(api_client_for, admin_user):
    hospital = HospitalContactFactory(name="Dr Mehta").hospital
    response = api_client_for(admin_user).patch(
        f"/api/v1/hospitals/{hospital.pk}/",
        {"contacts": [{"phone": "9839012345"}]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["contacts"]["0"]) == ["name"]
    assert list(hospital.contacts.values_list("name", flat=True)) == ["Dr Mehta"]


def test_the_django_admin_writes_partners_through_the_service(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(
        "/admin/camps/hospital/add/",
        {
            "name": "LLR",
            "kind": "hospital",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
            "contacts-0-name": "Dr Rao",
            "contacts-0-phone": "098390 12345",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    hospital = Hospital.objects.get()
    assert list(hospital.contacts.values_list("phone", flat=True)) == ["+919839012345"]
    assert audits(hospital, AuditAction.CREATE).get().actor == admin_user
    contact = hospital.contacts.get()
    response = client.post(
        f"/admin/camps/hospital/{hospital.pk}/change/",
        {
            "name": "LLR Hospital",
            "kind": "hospital",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
            "contacts-0-id": str(contact.pk),
            "contacts-0-hospital": str(hospital.pk),
            "contacts-0-name": "Dr Meera Rao",
            "contacts-0-phone": "+919839012345",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert list(hospital.contacts.values_list("name", flat=True)) == ["Dr Meera Rao"]
    assert audits(hospital, AuditAction.UPDATE).get().details == {"fields": ["name", "contacts"]}
    response = client.post(
        "/admin/camps/bloodcentre/add/", {"name": "Hallet", "licence_number": "L1", "_save": "1"}
    )
    assert response.status_code == 302
    assert audits(BloodCentre.objects.get(), AuditAction.CREATE).get().actor == admin_user
