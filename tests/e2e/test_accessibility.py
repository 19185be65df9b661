"""Text a constable reads in sunlight meets WCAG AA contrast (4.5:1): the navigation bar,
measured from the colours the browser actually paints."""

import pytest

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Each nav link's text colour and the first opaque background behind it, as rgb triples.
COLOURS = """
() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const opaqueBackground = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("nav.navbar .nav-link, nav.navbar .navbar-brand")]
    .filter((el) => el.offsetParent !== null)
    .map((el) => {
      const fg = rgb(getComputedStyle(el).color);
      const bg = opaqueBackground(el);
      const alpha = fg.length === 4 ? fg[3] : 1;  // blend a translucent text colour
      const seen = fg.slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
      return {text: el.textContent.trim(), fg: seen, bg: bg};
    });
}
"""


def luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg):
    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_navigation_bar_meets_wcag_aa_contrast(live_server, desktop, coordinator):
    sign_in(desktop, live_server.url, "coordinator")
    links = desktop.evaluate(COLOURS)
    assert len(links) >= 6
    low = [(link["text"], round(contrast(link["fg"], link["bg"]), 2)) for link in links]
    assert all(ratio >= 4.5 for _, ratio in low), low
