"""Pages of the accounts app: the home page per role, the police-unit tree, the audit log.
The people pages are in people_views.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import i18n as i18n_views
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_ratelimit.core import is_ratelimited

from . import audit, services
from .choices import Role
from .filters import AuditEventFilterSet, PoliceUnitFilterSet
from .forms import UnitForm, add_service_errors, parent_choices
from .models import PoliceUnit
from .permissions import AdminOnlyMixin, RoleRequiredMixin
from .scoping import for_user, units_for_user
from .selectors import audit_events_for, unit_tree
from .services import user_language, user_password_change


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role lands on what it does first; the template switches on the role."""

    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        units = units_for_user(user)
        context["scope_root"] = user.scope_root
        context["unit_count"] = units.count()
        context["is_admin"] = user.manages_people
        context["is_coordinator"] = user.role == Role.COORDINATOR
        if user.manages_people:
            context["recent_events"] = audit_events_for(user).order_by("-at", "-id")[:8]
        return context


UNIT_SUGGESTIONS = 20


class UnitSuggestView(RoleRequiredMixin, TemplateView):
    """The options of a list's unit filter box (``fields.UnitSearchInput``), fetched by htmx
    as the user types: at most UNIT_SUGGESTIONS units of the user's scope whose name holds,
    or whose code starts with, what was typed, each with its kind and parent to tell
    namesakes apart. Nothing typed: the top of the user's tree. Two queries."""

    template_name = "includes/unit_suggestions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        typed = (self.request.GET.get("unit") or self.request.GET.get("q") or "").strip()[:60]
        units = units_for_user(self.request.user)
        if typed:
            units = units.filter(Q(name__icontains=typed) | Q(code__istartswith=typed))
            units = units.order_by("name", "path")
        else:
            units = units.order_by("depth", "path")
        units = list(units.only("pk", "name", "code", "kind", "path", "depth")[:UNIT_SUGGESTIONS])
        parent_paths = {unit.path[: -unit.steplen] for unit in units if unit.depth > 1}
        parents = dict(PoliceUnit.objects.filter(path__in=parent_paths).values_list("path", "name"))
        context["units"] = [(unit, parents.get(unit.path[: -unit.steplen])) for unit in units]
        return context


class UnitListView(RoleRequiredMixin, TemplateView):
    """The police-unit tree of the user's jurisdiction: one collapsible tree with search,
    the donors, camps and children under each node, and (for admins) add, rename, move."""

    template_name = "accounts/unit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = PoliceUnitFilterSet(
            self.request.GET or None, queryset=PoliceUnit.objects.none()
        )
        q = kind = ""
        if filterset.is_valid():
            q = (filterset.form.cleaned_data.get("q") or "").strip()
            kind = filterset.form.cleaned_data.get("kind") or ""
        context["filter"] = filterset
        context["nodes"] = unit_tree(self.request.user, q=q, kind=kind)
        context["searching"] = bool(q or kind)
        context["can_edit"] = self.request.user.manages_people
        return context


class UnitCreateView(AdminOnlyMixin, FormView):
    """Add a unit below one of the admin's subtree."""

    template_name = "accounts/unit_form.html"
    form_class = UnitForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.manages_people:
            self.parent = get_object_or_404(units_for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.parent, **kwargs)

    def form_valid(self, form):
        try:
            unit = services.unit_add(
                actor=self.request.user,
                parent=self.parent,
                request=self.request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(unit)


class UnitUpdateView(AdminOnlyMixin, FormView):
    """Rename a unit of the admin's subtree, or move it under another."""

    template_name = "accounts/unit_form.html"
    form_class = UnitForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.manages_people:
            self.unit = get_object_or_404(units_for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        choices = parent_choices(self.request.user, self.unit)
        kwargs.update(actor=self.request.user, instance=self.unit, parent_choices=choices)
        if choices is not None and self.request.method == "GET":
            kwargs["initial"] = {"parent": PoliceUnit.objects.get_parent(self.unit)}
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, **kwargs)

    def form_valid(self, form):
        try:
            unit = services.unit_update(
                actor=self.request.user,
                unit=self.unit,
                request=self.request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(unit)


class UnitDetailView(RoleRequiredMixin, DetailView):
    template_name = "accounts/unit_detail.html"
    context_object_name = "unit"

    def get_queryset(self):
        return units_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        # Ancestors above the user's own scope are shown as plain names, never as links.
        context["ancestors"] = list(PoliceUnit.objects.get_ancestors(unit))
        context["visible_ancestor_ids"] = set(
            for_user(
                PoliceUnit.objects.filter(pk__in=[a.pk for a in context["ancestors"]]), user
            ).values_list("pk", flat=True)
        )
        context["children"] = PoliceUnit.objects.get_children(unit)
        context["members"] = unit.users.filter(is_active=True).order_by("role", "username")
        context["can_edit"] = user.manages_people
        return context


class AuditEventListView(AdminOnlyMixin, FilterView):
    """Admins read and filter the audit log; a force admin, its subtree's part of it."""

    template_name = "accounts/audit_list.html"
    filterset_class = AuditEventFilterSet
    paginate_by = 50

    def get_queryset(self):
        return audit_events_for(self.request.user).order_by("-at", "-id")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        # Django's view would save through the form; the service saves and audits.
        user_password_change(
            user=form.user, password=form.cleaned_data["new_password1"], request=self.request
        )
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


def _address(group, request) -> str:
    return audit.client_ip(request) or "unknown"


class LoginView(auth_views.LoginView):
    """The sign-in page. django-axes locks a username tried wrongly from one address; this
    adds a ceiling of failed sign-ins per address across all usernames
    (SIGNIN_RATE_PER_ADDRESS), answered like a lock. Only failures count: a station whose
    whole shift signs in from one address at eight o'clock is not stopped."""

    def _over_ceiling(self, *, count_this: bool) -> bool:
        return is_ratelimited(
            self.request,
            group="signin-address",
            key=_address,
            rate=settings.SIGNIN_RATE_PER_ADDRESS,
            method="POST",
            increment=count_this,
        )

    def post(self, request, *args, **kwargs):
        if self._over_ceiling(count_this=False):
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        self._over_ceiling(count_this=True)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        # The language chosen before signing in (the login page's switch) is the latest
        # choice and is kept; with none, the user's stored choice comes back.
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = user_language(user=form.get_user(), chosen=chosen)
        translation.activate(language)
        set_language_cookie(response, language)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
    )


def set_language(request):
    """Django's language switch, plus: a signed-in user's choice is stored on the user, so
    the next sign-in, on any phone, speaks the same language."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated:
        user_language(user=request.user, chosen=language)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset by email, rate-limited per address and per account asked for. Past a
    limit the page answers exactly as when an email was sent (it never tells whether an
    account exists), but sends nothing. The emailed link starts with SITE_URL, like every
    link in a message, not with whatever Host the request named."""

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        by_address = is_ratelimited(
            self.request,
            group="password-reset-address",
            key=_address,
            rate=settings.PASSWORD_RESET_RATE_PER_ADDRESS,
            method="POST",
            increment=True,
        )
        by_account = is_ratelimited(
            self.request,
            group="password-reset-account",
            key=lambda group, request: email,
            rate=settings.PASSWORD_RESET_RATE_PER_ACCOUNT,
            method="POST",
            increment=True,
        )
        if by_address or by_account:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set through the emailed link: saved, audited and the API tokens ended
    by the same service as a password change."""

    def form_valid(self, form):
        user_password_change(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            request=self.request,
            through="reset",
        )
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())
