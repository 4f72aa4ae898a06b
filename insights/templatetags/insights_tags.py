from django import template

from ..reports.formatting import display

register = template.Library()


@register.filter
def cell(row, column):
    """The row's value for `column`, formatted for reading."""
    return display(row.get(column.key), column.kind)


@register.filter
def figure(value, kind):
    return display(value, kind)
