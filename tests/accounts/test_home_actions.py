"""Each role's home page offers the work it does first, and every button leads to a page
that role may open."""

import re

import pytest

pytestmark = pytest.mark.django_db


def actions(client):
    page = client.get("/").content.decode()
    block = re.search(r'data-testid="home-actions">(.*?)</div>', page, re.S).group(1)
    return re.findall(r'href="([^"]+)"', block)


@pytest.mark.parametrize(
    ("persona", "first"),
    [("staff_a", "/camps/"), ("coordinator", "/children/due/"), ("admin_user", "/dashboard/")],
)
def test_every_home_button_opens_for_that_role(request, client_for, persona, first):
    client = client_for(request.getfixturevalue(persona))
    links = actions(client)
    assert links[0] == first
    assert len(links) >= 4
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
