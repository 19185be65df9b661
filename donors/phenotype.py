"""Extended red-cell phenotype (C, c, E, e, K), written as ISBT-style text: "C+ c- E+ e+ K-".

Stored as that text on donors and patients; matching reads it back with ``parse``."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ANTIGENS = ("C", "c", "E", "e", "K")
_TOKEN = re.compile(r"^(C|c|E|e|K|k)\s*([+-])$")


def parse(text: str) -> dict[str, bool]:
    """{"C": True, "c": False, …} for the antigens written; raises ValidationError."""
    result: dict[str, bool] = {}
    for token in re.split(r"[\s,;]+", (text or "").strip()):
        if not token:
            continue
        match = _TOKEN.match(token.replace("−", "-"))
        if not match:
            raise ValidationError(
                _("“%(token)s” is not a phenotype entry; write for example: C+ c- E+ e+ K-"),
                params={"token": token},
            )
        antigen, sign = match.groups()
        if antigen == "k":  # lower-case k (Cellano) is not recorded; K is Kell
            raise ValidationError(_("Record Kell as K+ or K-."))
        if antigen in result:
            raise ValidationError(_("%(antigen)s is written twice."), params={"antigen": antigen})
        result[antigen] = sign == "+"
    return result


def normalise(text: str) -> str:
    """The canonical text, antigens in the usual order: "C+ c- E+ e+ K-"."""
    values = parse(text)
    return " ".join(f"{a}{'+' if values[a] else '-'}" for a in ANTIGENS if a in values)
