"""Forms of the people and unit pages. They offer only what the actor may choose (roles up
to its own, units of its subtree); the services check the same rules again, so another
path cannot skip them."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import ROLE_RANK, Role
from .models import PoliceUnit, User
from .scoping import units_for_user


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: each field's messages on the field the form
    has, the rest on top (every page that calls a service answers this way)."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented by depth so the tree shows in a plain <select>."""

    def label_from_instance(self, unit):
        return f"{'· ' * (unit.depth - 1)}{unit.name} ({unit.code})"


def roles_for(actor) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if ROLE_RANK[value] <= actor.role_rank]


class UserForm(forms.ModelForm):
    """A person's details, role and home unit, as an admin sets them."""

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "unit",
            "preferred_language",
        ]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_for(actor)
        self.fields["unit"].queryset = units_for_user(actor).order_by("path")
        self.fields["unit"].help_text = _("Home unit. Every role but admin needs one.")
        self.fields["unit"].required = False
        self.fields["email"].required = False

    def _post_clean(self):
        # The model's own checks (unique username, the unit rule) run in the service, on
        # the row as it really is; here only the fields' own validation.
        pass

    def clean_username(self):
        username = self.cleaned_data["username"]
        taken = User.objects.filter(username__iexact=username)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class UnitForm(forms.ModelForm):
    """Name, kind, code and contact of a unit; its parent (to move it) when it may move."""

    parent = UnitChoiceField(
        queryset=PoliceUnit.objects.none(),
        label=_("Belongs under"),
        help_text=_("Choose another unit to move this one, with every unit below it."),
    )

    class Meta:
        model = PoliceUnit
        fields = ["name", "kind", "code", "phone", "address", "rules_profile"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, actor, parent_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent_choices is None:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = parent_choices

    def _post_clean(self):
        pass  # the service validates the unit (unique code) as it writes


def parent_choices(actor, unit: PoliceUnit | None):
    """Where ``unit`` may go: units of the actor's subtree, not the unit itself or below it;
    None when it may not move (a root, or the force admin's own home unit)."""
    units = units_for_user(actor).order_by("path")
    if unit is None:
        return units
    root = actor.scope_root
    if unit.depth == 1 or (root is not None and unit.path == root.path):
        return None
    return units.exclude(path__startswith=unit.path)
