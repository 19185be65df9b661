"""The red-cell matrix is data; here it is derived from the rule it encodes (DOMAIN.md §2)."""

import pytest

from donors.compatibility import KNOWN_GROUPS, RED_CELL_DONORS, can_receive, donor_groups_for


def antigens(group: str) -> tuple[set[str], bool]:
    abo, rh = group[:-1], group[-1] == "+"
    return set(abo.replace("O", "")), rh


def by_rule(recipient: str, donor: str) -> bool:
    if "Oh" in (recipient, donor):
        return recipient == donor == "Oh"  # Bombay receives only Bombay, and gives only to it
    donor_abo, donor_rh = antigens(donor)
    recipient_abo, recipient_rh = antigens(recipient)
    return donor_abo <= recipient_abo and (recipient_rh or not donor_rh)


@pytest.mark.parametrize("recipient", KNOWN_GROUPS)
@pytest.mark.parametrize("donor", KNOWN_GROUPS)
def test_the_matrix_is_the_rule(recipient, donor):
    assert can_receive(recipient, donor) is by_rule(recipient, donor)


def test_every_group_lists_itself_first_and_the_table_covers_nine_groups():
    assert set(RED_CELL_DONORS) == set(KNOWN_GROUPS) and len(KNOWN_GROUPS) == 9
    assert all(donors[0] == recipient for recipient, donors in RED_CELL_DONORS.items())
    assert set(RED_CELL_DONORS["AB+"]) == set(KNOWN_GROUPS) - {"Oh"}
    assert {r for r, d in RED_CELL_DONORS.items() if "O-" in d} == set(KNOWN_GROUPS) - {"Oh"}


def test_an_unknown_group_never_matches():
    assert donor_groups_for("") == ()
    assert not any(can_receive("", g) or can_receive(g, "") for g in KNOWN_GROUPS)
