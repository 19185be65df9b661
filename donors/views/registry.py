"""The donor registry: list, detail, create, edit, defer, verify, merge."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, FormView, UpdateView
from django_filters.views import FilterView

from accounts import audit
from accounts.choices import AuditAction, Role
from accounts.forms import add_service_errors
from accounts.pagination import EstimatedCountPaginator
from accounts.permissions import RoleRequiredMixin, has_role

from ..choices import ConsentPurpose, DonorSource
from ..consent import consent_summary
from ..eligibility import Rules, check_eligibility
from ..filters import DonorFilterSet
from ..forms import DeferralForm, DonorForm, MergeForm
from ..merging import likely_duplicates
from ..privacy import record_list_view
from ..selectors import donor_eligibility, donors_for, facts_for, with_eligibility_facts
from ..services import deferral_create, donor_create, donor_merge, donor_update, donor_verify


class DonorListView(RoleRequiredMixin, FilterView):
    """Find a donor by phone or name in a second; each row says whether they may give today."""

    template_name = "donors/donor_list.html"
    filterset_class = DonorFilterSet
    paginate_by = settings.PAGE_SIZE
    paginator_class = EstimatedCountPaginator  # a state is not counted on every page

    def get_queryset(self):
        return with_eligibility_facts(
            donors_for(self.request.user).select_related("unit").order_by("name", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        rules = {}  # once for the page per rules profile, not once a row
        context["rows"] = [
            (
                donor,
                check_eligibility(
                    facts_for(donor),
                    today,
                    rules=rules.setdefault(
                        donor.rules_profile, Rules.for_profile(donor.rules_profile)
                    ),
                ),
            )
            for donor in context["object_list"]
        ]
        context["today"] = today
        # The merge page's way in: the roles that may merge (DonorMergeView.allowed_roles).
        context["can_merge"] = has_role(self.request.user, *DonorMergeView.allowed_roles)
        # Each row shows a phone: the page is a view of personal data, so it is audited.
        filterset = context["filter"]
        params = self.request.GET
        record_list_view(
            request=self.request,
            donors=[donor for donor, _answer in context["rows"]],
            filters={n: params[n] for n in [*filterset.filters, "page"] if params.get(n)},
        )
        return context


class ErasedRecord(Exception):
    def __init__(self, donor):
        super().__init__(donor.pk)
        self.donor = donor


class DonorScopedMixin(RoleRequiredMixin):
    def get_queryset(self):
        return donors_for(self.request.user).select_related("unit", "verified_by")


class DonorDetailView(DonorScopedMixin, DetailView):
    template_name = "donors/donor_detail.html"
    context_object_name = "donor"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        donor = self.object
        context["eligibility"] = donor_eligibility(donor)
        context["donations"] = donor.donations.select_related("blood_centre")
        context["deferrals"] = donor.deferrals.select_related("recorded_by")
        context["deferral_form"] = DeferralForm()
        context["consents"] = consent_summary(donor)
        context["can_export_data"] = has_role(self.request.user, Role.COORDINATOR, Role.ADMIN)
        context["can_erase"] = has_role(self.request.user, Role.ADMIN)
        context["today"] = timezone.localdate()
        # A view of a person's record by staff is in the audit log (DPDP: who saw what).
        audit.record(action=AuditAction.VIEW, request=self.request, obj=donor)
        return context


class DonorFormMixin:
    form_class = DonorForm
    template_name = "donors/donor_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def save_through(self, form, save):
        try:
            donor = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(donor.get_absolute_url())


class DonorCreateView(RoleRequiredMixin, DonorFormMixin, CreateView):
    def get_initial(self):
        # The camp table and the list's "not found" link pass what was typed.
        initial = super().get_initial()
        if self.request.GET.get("phone"):
            initial["phone"] = self.request.GET["phone"][:20]
        return initial

    def form_valid(self, form):
        def save(data):
            data = dict(data)
            consents = [ConsentPurpose.REGISTRY] if data.pop("consent") else []
            if data.pop("consent_reminders"):
                consents.append(ConsentPurpose.REMINDERS)
            donor = donor_create(
                actor=self.request.user,
                source=DonorSource.STAFF,
                consents=consents,
                request=self.request,
                **data,
            )
            messages.success(self.request, _("Donor registered."))
            return donor

        return self.save_through(form, save)


class DonorUpdateView(DonorScopedMixin, DonorFormMixin, UpdateView):
    def get_object(self, queryset=None):
        donor = super().get_object(queryset)
        if donor.erased_at is not None:
            raise ErasedRecord(donor)
        return donor

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ErasedRecord as closed:
            messages.error(
                request, _("This donor's personal data was erased: the record is closed.")
            )
            return redirect(closed.donor)

    def form_valid(self, form):
        # The form has already written its values onto the instance; services compare
        # against the stored row, so reload it first.
        donor = self.get_queryset().get(pk=self.object.pk)

        def save(data):
            updated = donor_update(
                donor=donor, actor=self.request.user, request=self.request, **data
            )
            messages.success(self.request, _("Donor record saved."))
            return updated

        return self.save_through(form, save)


class DeferralCreateView(DonorScopedMixin, FormView):
    form_class = DeferralForm
    template_name = "donors/deferral_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.donor = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["donor"] = self.donor
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            deferral_create(
                donor=self.donor,
                category=data["category"],
                starts_on=data["starts_on"],
                until=data["until"],
                actor=self.request.user,
                request=self.request,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Deferral recorded."))
        return redirect(self.donor)


@require_POST
def verify(request, pk):
    if not has_role(request.user, Role.STAFF, Role.COORDINATOR, Role.ADMIN):
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    donor = get_object_or_404(donors_for(request.user), pk=pk)
    donor_verify(donor=donor, actor=request.user, request=request)
    messages.success(request, _("Donor verified."))
    return redirect(donor)


class DonorMergeView(RoleRequiredMixin, FormView):
    """Two records of one person: keep one, fold the other into it (coordinators and admins,
    within their units). The page lists the likely pairs in the viewer's scope (the same
    number and a similar name, or the same name and date of birth on other numbers): one
    audit line for the donors it shows."""

    allowed_roles = (Role.COORDINATOR, Role.ADMIN)
    form_class = MergeForm
    template_name = "donors/donor_merge.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "keep" not in context:
            pairs = likely_duplicates(donors_for(self.request.user))
            context["pairs"] = pairs
            shown = [d.pk for a, b, _why in pairs for d in (a, b)]
            if shown:
                record_list_view(
                    request=self.request, donors=shown, filters={"likely_duplicates": True}
                )
        return context

    def get_initial(self):
        initial = super().get_initial()
        for key in ("keep", "duplicate"):
            if self.request.GET.get(key, "").isdigit():
                initial[key] = int(self.request.GET[key])
        return initial

    def form_valid(self, form):
        donors = donors_for(self.request.user)
        keep = donors.filter(pk=form.cleaned_data["keep"]).first()
        duplicate = donors.filter(pk=form.cleaned_data["duplicate"]).first()
        if keep is None:
            form.add_error("keep", _("No such donor."))
        if duplicate is None:
            form.add_error("duplicate", _("No such donor."))
        if keep is None or duplicate is None:
            return self.form_invalid(form)
        for field, donor in (("keep", keep), ("duplicate", duplicate)):
            if donor.erased_at is not None:
                form.add_error(field, _("An erased donor's record cannot be merged."))
        if form.errors:
            return self.form_invalid(form)
        if "confirm" not in self.request.POST:
            return self.render_to_response(
                self.get_context_data(form=form, keep=keep, duplicate=duplicate)
            )
        merged = donor_merge(
            keep=keep, duplicate=duplicate, actor=self.request.user, request=self.request
        )
        messages.success(self.request, _("Donor records merged."))
        return redirect(merged)
