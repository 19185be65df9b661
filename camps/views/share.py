"""The camp table's "share totals": the text of camps.share, fresh at each tap."""

from django.shortcuts import render
from django.views import View

from ..selectors import camp_totals
from ..share import share_text
from .table import CampTableMixin


class ShareView(CampTableMixin, View):
    def get(self, request, pk):
        text = share_text(self.camp, camp_totals(self.camp))
        return render(request, "camps/table/_share.html", {"camp": self.camp, "text": text})
