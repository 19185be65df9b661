"""The people pages (/people/): admins and force admins list, create, edit and deactivate
the people of their subtree and make password links. Each view validates a form, calls one
service and answers; the rules live in accounts/services.py."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView
from django_filters.views import FilterView

from . import services
from .filters import UserFilterSet
from .forms import UserForm, add_service_errors
from .permissions import AdminOnlyMixin
from .selectors import people_for


class PersonMixin(AdminOnlyMixin):
    """A person of the actor's reach, or 404 exactly as for nobody at all."""

    def get_person(self):
        return get_object_or_404(people_for(self.request.user), pk=self.kwargs["pk"])


class PeopleListView(AdminOnlyMixin, FilterView):
    template_name = "accounts/people_list.html"
    filterset_class = UserFilterSet
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return people_for(self.request.user).order_by("-is_active", "username")


class UserCreateView(AdminOnlyMixin, FormView):
    template_name = "accounts/user_form.html"
    form_class = UserForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form):
        try:
            person = services.user_create(
                actor=self.request.user, request=self.request, password=None, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Saved. Make a password link below and give it to them to sign in."),
        )
        return redirect("accounts:person-edit", pk=person.pk)


class UserUpdateView(PersonMixin, FormView):
    template_name = "accounts/user_form.html"
    form_class = UserForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = self.get_person() if request.user.manages_people else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user, "instance": self.person}

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        try:
            services.user_update(
                actor=self.request.user, user=self.person, request=self.request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect("accounts:people")


class UserActiveView(PersonMixin, View):
    """POST: deactivate (or reactivate) a person. Nobody is ever deleted."""

    activate = False

    def post(self, request, pk):
        person = self.get_person()
        service = services.user_reactivate if self.activate else services.user_deactivate
        try:
            service(actor=request.user, user=person, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if self.activate:
                messages.success(request, _("Account reactivated."))
            else:
                messages.success(request, _("Account deactivated. Nothing was deleted."))
        return redirect("accounts:person-edit", pk=person.pk)


@method_decorator(never_cache, name="dispatch")
class UserPasswordLinkView(PersonMixin, View):
    """POST: a one-time link to set a password, shown on this answer only. It is not
    stored, not emailed and not put in a message that would outlive the page."""

    template_name = "accounts/user_password_link.html"

    def post(self, request, pk):
        person = self.get_person()
        try:
            path = services.user_password_link(actor=request.user, user=person, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:person-edit", pk=person.pk)
        context = {
            "person": person,
            "link": request.build_absolute_uri(path),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        return render(request, self.template_name, context)
