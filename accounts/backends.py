"""The sign-in backend: Django's ModelBackend, loading the signed-in user with their home
unit. Every scoped page reads the unit (``scoping.scope_root_for``): with the user's own
query, one query fewer on every request (the camp table's record, issue 12)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("unit")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
