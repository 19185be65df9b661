"""Factories for every model. Later apps add theirs here, built through the apps' services."""

import factory

from accounts.choices import Role, UnitKind
from accounts.models import PoliceUnit, User
from accounts.services import unit_create


class PoliceUnitFactory(factory.Factory):
    """Builds through the service, so treebeard paths are always right."""

    class Meta:
        model = PoliceUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = UnitKind.STATION
    code = factory.Sequence(lambda n: f"unit-{n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *, parent=None, **kwargs):
        return unit_create(parent=parent, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@police.example")
    role = Role.STAFF
    unit = None
    password = factory.django.Password("correct horse battery")

    @factory.lazy_attribute
    def is_staff(self):
        return self.role == Role.ADMIN

    @factory.lazy_attribute
    def is_superuser(self):
        return self.role == Role.ADMIN
