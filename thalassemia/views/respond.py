"""The page a donor's request link opens: "Can you donate for a child on DATE?" with two
buttons. Opening it changes nothing (phones preview links); a button press does."""

from django.http import HttpResponse
from django.views import View

from notifications import shortlinks
from notifications.rendering import render_in_language

from ..booking import assignment_respond
from ..respond import link_state

STATUS_CODES = {"invalid": 404, "expired": 410}


class RespondView(View):
    template_name = "thalassemia/respond.html"

    def dispatch(self, request, *args, **kwargs):
        # Short codes can be guessed: an address that tried too many unknown ones waits.
        if shortlinks.too_many_misses(request):
            return HttpResponse(status=429)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token):
        assignment, state = link_state(token)
        return self.page(request, assignment, state)

    def post(self, request, token):
        assignment, state = assignment_respond(
            token=token, answer=request.POST.get("answer", ""), request=request
        )
        return self.page(request, assignment, state)

    def page(self, request, assignment, state):
        if state == "invalid":
            shortlinks.count_miss(request)
        return render_in_language(
            request,
            self.template_name,
            {"assignment": assignment, "state": state},
            language=assignment.donor.preferred_language if assignment else "",
            status=STATUS_CODES.get(state, 200),
        )
