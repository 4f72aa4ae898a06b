"""Approved message templates kept in a channel's config (WhatsApp): checked on save, read by the domain.

Each entry: {"name", "language", "body", "variables"?: [...], plus the provider's own keys (Twilio's
content_sid)}. `body` is the approved text with {{variable}} placeholders: what the customer reads.
"""
import re

from conversations.channel_kinds import ReplyTemplate

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
NAME = re.compile(r"[a-z0-9_]{1,512}")
LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Za-z]{2,4})?")
MAX_TEMPLATES = 200


def _entry_problem(entry, provider_keys):
    if not isinstance(entry, dict):
        return "each template is an object"
    unknown = set(entry) - {"name", "language", "body", "variables"} - set(provider_keys)
    if unknown:
        return f"unknown keys {', '.join(sorted(unknown))}"
    if not isinstance(entry.get("name"), str) or not NAME.fullmatch(entry["name"]):
        return "name is the template's name at the provider (lower-case letters, digits, _)"
    if not isinstance(entry.get("language"), str) or not LANGUAGE.fullmatch(entry["language"]):
        return f"{entry['name']}: language is a code such as en or pt_BR"
    if not isinstance(entry.get("body"), str) or not entry["body"].strip():
        return f"{entry['name']}: body is the approved text, with {{{{variable}}}} placeholders"
    variables = entry.get("variables", [])
    if not isinstance(variables, list) or not all(isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_]+", v)
                                                  for v in variables):
        return f"{entry['name']}: variables is a list of names (letters, digits, _)"
    if len(set(variables)) != len(variables) or set(PLACEHOLDER.findall(entry["body"])) != set(variables):
        return f"{entry['name']}: the body's placeholders and the variables must be the same names"
    for key, pattern in provider_keys.items():
        if not isinstance(entry.get(key), str) or not re.fullmatch(pattern, entry[key]):
            return f"{entry['name']}: {key} is required ({pattern})"
    return ""


def clean_templates(errors, config, provider_keys=None):
    """Record in `errors` what is wrong with config["templates"]; `provider_keys` maps required key -> regex."""
    templates = config.get("templates")
    if templates in (None, ""):
        return
    if not isinstance(templates, list) or len(templates) > MAX_TEMPLATES:
        errors["templates"] = f"must be a list of at most {MAX_TEMPLATES} templates"
        return
    seen = set()
    for entry in templates:
        problem = _entry_problem(entry, provider_keys or {})
        if not problem and (entry["name"], entry["language"]) in seen:
            problem = f"{entry['name']} ({entry['language']}) is listed twice"
        if problem:
            errors["templates"] = problem
            return
        seen.add((entry["name"], entry["language"]))


def templates_of(config):
    return tuple(
        ReplyTemplate(
            name=entry["name"],
            language=entry["language"],
            variables=tuple(entry.get("variables", ())),
            body=PLACEHOLDER.sub(lambda m: "{{" + m.group(1) + "}}", entry["body"]),
        )
        for entry in config.get("templates") or ()
    )


def provider_entry(config, template, key):
    """The provider's own reference (e.g. content_sid) of the template an outbound message names."""
    for entry in config.get("templates") or ():
        if entry.get("name") == template.name and entry.get("language") == template.language:
            return entry.get(key, "")
    return ""
