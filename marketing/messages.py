"""What one recipient of a campaign reads, in their language: the text filled in from the one template
language of customer texts (conversations/variables.py), the opt-out footer of the channel, and on WhatsApp the
approved template in their language. Sending and the composer's preview both go through here, so the
preview is what will be sent."""
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from conversations import variables
from conversations.actions.replies import channel_templates

from . import families

SAMPLE = {"customer.name": "Maria Silva", "customer.first_name": "Maria", "customer.email": "maria@example.com",
          "customer.phone": "+5511999990000", "conversation.id": "1", "conversation.channel": "",
          "conversation.priority": "", "agent.name": "", "agent.first_name": "", "team.name": ""}


def sample_context():
    """A made-up customer for a preview of an audience nobody is in yet."""
    return variables.Context({path: (lambda value=value: value) for path, value in SAMPLE.items()})


def normalised_language(code):
    """pt_BR, pt-BR and pt-br are one language; Meta names template languages the first way, Django the last."""
    return (code or "").replace("_", "-").lower()


def opt_out_keyword(language):
    """The first configured opt-out keyword of `language` ("SAIR" in Portuguese), else the first of all."""
    keywords = settings.MARKETING_OPT_OUT_KEYWORDS
    wanted = normalised_language(language)
    return next((word for word, lang in keywords.items() if normalised_language(lang) == wanted),
                next(iter(keywords), "STOP"))


def template_for(channel, choice, language):
    """The approved template a customer of `language` gets: the chosen language when the campaign names one,
    else theirs, else the site's, else the first approved one of that name."""
    if choice.get("language"):
        return choice
    by_language = {normalised_language(t.language): t.language for t in channel_templates(channel)
                   if t.name == choice["name"]}
    for wanted in (language, settings.LANGUAGE_CODE):
        if normalised_language(wanted) in by_language:
            return {**choice, "language": by_language[normalised_language(wanted)]}
    return {**choice, "language": next(iter(by_language.values()), "")}


def compose(campaign, language, context, unsubscribe_link):
    """{"text", "html", "subject", "template"} as a recipient of `language` gets them; TemplateProblem when a
    variable would come out empty for them."""
    family = families.family_of(campaign.channel.kind)
    text = variables.render(campaign.text, context)
    html = variables.render(campaign.html, context) if campaign.html else ""
    subject = variables.render(campaign.subject, context) if campaign.subject else ""
    template = None
    with translation.override(language):
        if family == families.WHATSAPP:
            # An approved template is sent as approved; WhatsApp offers its own "stop promotions" button.
            chosen = template_for(campaign.channel, campaign.template, language)
            template = {**chosen, "variables": {name: variables.render(str(value), context)
                                                for name, value in (chosen.get("variables") or {}).items()}}
        elif family == families.EMAIL:
            footer = _("Unsubscribe: %(link)s") % {"link": unsubscribe_link}
            text = f"{text}\n\n{footer}"
            if html:
                html = f'{html}<p><a href="{unsubscribe_link}">{_("Unsubscribe")}</a></p>'
        else:
            footer = _("Reply %(keyword)s to stop receiving offers.") % {"keyword": opt_out_keyword(language)}
            text = f"{text}\n\n{footer}"
    return {"text": text, "html": html, "subject": subject, "template": template}


def render_template(channel, template):
    """The text of an approved template with its variables filled in (what the WhatsApp user reads)."""
    for approved in channel_templates(channel):
        if approved.name == template["name"] and approved.language == template.get("language"):
            return approved.render({name: template["variables"].get(name, "") for name in approved.variables})
    return ""
