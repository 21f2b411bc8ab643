"""The name of an ESP as people write it ("SendGrid"), from the short name a finding carries."""
from django import template

from kb.bounce.esp import LABELS

register = template.Library()


@register.filter
def esp_label(name):
    return LABELS.get(name, name)
