"""Template helpers shared by every app's pages."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..choices import ROLE_BADGES

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced: keeps filters across pages."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def badge(label, colour="secondary"):
    """A status badge. Apps keep a {choice: colour} map beside their choices."""
    text = "dark" if colour in {"warning", "info", "light"} else "white"
    return format_html('<span class="badge text-bg-{} text-{}">{}</span>', colour, text, label)


@register.simple_tag
def role_badge(user):
    return badge(user.get_role_display(), ROLE_BADGES.get(user.role, "secondary"))


@register.filter
def indent(depth, base=1):
    """Left padding, in rem, for a tree row ``depth`` levels below the user's scope root."""
    try:
        return max(0, int(depth) - int(base)) * 1.25
    except (TypeError, ValueError):
        return 0


@register.simple_tag(takes_context=True)
def filters_active(context, skip=""):
    """Whether any filter other than ``skip`` (the page's own search box) and the page
    number is set: the filter panel opens only then, so results stay near the top."""
    ignored = {"page", *skip.split(",")}
    return any(value for key, value in context["request"].GET.items() if key not in ignored)


def _select_html(field, attrs) -> str:
    """A single select rendered in Python: Django renders each option through two template
    includes, which on a list's filter panel cost more than the rows."""
    widget = field.field.widget
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    options = []
    for group, choices, _index in context["optgroups"]:
        if group:
            return None  # option groups: Django's own rendering
        options.extend(
            format_html(
                '<option value="{}"{}>{}</option>',
                "" if choice["value"] is None else choice["value"],
                flatatt(choice["attrs"]),
                choice["label"],
            )
            for choice in choices
        )
    return format_html(
        '<select name="{}"{}>{}</select>',
        context["name"],
        flatatt(context["attrs"]),
        mark_safe("".join(options)),  # noqa: S308  each option escaped by format_html
    )


@register.simple_tag
def filter_field(field):
    """A list filter's field as ``as_crispy_field`` draws it with Bootstrap 5 (label, control,
    errors, help), in a fraction of its time: selects and inputs drawn here, anything else
    (a checkbox, a multiple select) by crispy."""
    widget = field.field.widget
    plain = isinstance(widget, forms.Select | forms.widgets.Input) and not isinstance(
        widget, forms.CheckboxInput | forms.SelectMultiple | forms.HiddenInput | forms.FileInput
    )
    if not plain:
        return as_crispy_field(field)
    single_select = isinstance(widget, forms.Select)
    attrs = {"class": "form-select" if single_select else "form-control"}
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    control = None
    if single_select and not widget.template_name.endswith("select.html"):
        single_select = False
    if single_select:
        control = _select_html(field, {**widget.attrs, **attrs, "id": field.auto_id})
    if control is None:
        control = field.as_widget(attrs=attrs)
    errors = format_html_join(
        "",
        '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((n, field.auto_id, error) for n, error in enumerate(field.errors, 1)),
    )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        field.auto_id,
        field.id_for_label,
        field.label,
        control,
        format_html('<div id="{}_error" class="invalid-feedback">{}</div>', field.auto_id, errors)
        if field.errors
        else "",
        format_html('<div class="form-text">{}</div>', field.help_text) if field.help_text else "",
    )
