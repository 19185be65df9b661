"""One FilterSet per model, shared by the donor list, the exports and the API."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import UnitSubtreeFilter

from .choices import BloodGroup, Sex
from .models import Donor
from .phones import normalise_phone

PHONE_SUFFIX_DIGITS = 10  # a search by more digits matches on the last ten


class AnyYesNo(django_filters.widgets.BooleanWidget):
    """Yes / No / Any (django-filter says "Unknown", which reads oddly in a filter)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("Any")), ("true", _("Yes")), ("false", _("No")))


class DonorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or mobile"))
    blood_group = django_filters.ChoiceFilter(
        choices=BloodGroup.choices, label=_("Blood group"), empty_label=_("Any")
    )
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("Sex"), empty_label=_("Any"))
    unit = UnitSubtreeFilter()
    eligible_today = django_filters.BooleanFilter(
        method="filter_eligible_today",
        label=_("May donate today"),
        widget=AnyYesNo(),
    )
    living_blood_bank = django_filters.BooleanFilter(
        label=_("Living blood bank"), widget=AnyYesNo()
    )
    verified = django_filters.BooleanFilter(
        field_name="verified_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("Verified"),
        widget=AnyYesNo(),
    )
    is_police = django_filters.BooleanFilter(label=_("Police personnel"), widget=AnyYesNo())
    # Erased donors (anonymised on request) are left out unless this asks for them.
    erased = django_filters.ChoiceFilter(
        choices=[("include", _("Shown too")), ("only", _("Only erased"))],
        empty_label=_("Hidden"),
        method="filter_erased",
        label=_("Erased records"),
    )

    class Meta:
        model = Donor
        fields = []

    def search(self, queryset, name, value):
        """A whole mobile number: the registry's unique index, by equality. Four to ten
        digits that are not a whole number: the number's last digits, through the index on
        the reversed number (PostgreSQL, migration 0008). Anything with letters, or fewer
        digits: the name, through the trigram index (PostgreSQL; SQLite scans)."""
        value = value.strip()
        digits = "".join(ch for ch in value if ch.isdigit())
        has_letters = any(ch.isalpha() for ch in value)
        condition = Q(name__icontains=value) if has_letters or len(digits) < 4 else Q()
        if len(digits) >= 4:
            try:
                condition |= Q(phone=normalise_phone(value))
            except ValidationError:  # a partial number: its last digits
                condition |= Q(phone_reversed__startswith=digits[::-1][:PHONE_SUFFIX_DIGITS])
                queryset = queryset.alias(phone_reversed=Reverse("phone"))
        return queryset.filter(condition)

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # Applied even to an unbound filterset (a list with no query string).
        if self.data.get("erased") not in ("include", "only"):
            self.queryset = self.queryset.filter(erased_at__isnull=True)

    def filter_erased(self, queryset, name, value):
        return queryset.filter(erased_at__isnull=False) if value == "only" else queryset

    def filter_eligible_today(self, queryset, name, value):
        from .selectors import eligible_on

        today = timezone.localdate()
        if value is None:
            return queryset
        eligible = eligible_on(queryset, today)
        return eligible if value else queryset.exclude(pk__in=eligible.values("pk"))
