"""The page a donor's request link opens: "Can you donate for a child on DATE?" with two
buttons. Opening it changes nothing (phones preview links); a button press does."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views import View

from ..booking import assignment_respond
from ..respond import link_state

STATUS_CODES = {"invalid": 404, "expired": 410}


class RespondView(View):
    template_name = "thalassemia/respond.html"

    def get(self, request, token):
        assignment, state = link_state(token)
        return self.page(request, assignment, state)

    def post(self, request, token):
        assignment, state = assignment_respond(
            token=token, answer=request.POST.get("answer", ""), request=request
        )
        return self.page(request, assignment, state)

    def page(self, request, assignment, state):
        language = assignment.donor.preferred_language if assignment else settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            response = render(
                request,
                self.template_name,
                {"assignment": assignment, "state": state},
                status=STATUS_CODES.get(state, 200),
            )
        response["Content-Language"] = language
        return response
