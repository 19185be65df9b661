"""Extended red-cell phenotype (C, c, E, e, K), written as ISBT-style text: "C+ c- E+ e+ K-".

Stored as that text on donors and patients; matching reads it back with ``parse``. A
child's red-cell antibodies against these antigens are written "E, K" (``normalise_alloantibodies``)
and read back as a set (``antibodies``)."""

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


# --- antibodies against these antigens (a transfused child's alloantibodies) -------------


def normalise_alloantibodies(text: str) -> str:
    """Accepts "E, K", "E K" or "anti-E, anti-K" (case matters: c is not C) and answers the
    canonical "E, K", in the usual antigen order."""
    found = []
    for token in (text or "").replace(";", ",").replace(",", " ").split():
        name = token.removeprefix("anti-").removeprefix("Anti-").strip()
        if name not in ANTIGENS:
            raise ValidationError(
                _("“%(token)s” is not one of %(antigens)s."),
                params={"token": token, "antigens": ", ".join(ANTIGENS)},
            )
        found.append(name)
    return ", ".join(a for a in ANTIGENS if a in found)


def antibodies(text: str) -> set[str]:
    """The antigens named in a stored antibody text ("E, K" → {"E", "K"})."""
    return {a.strip() for a in (text or "").split(",") if a.strip()}
