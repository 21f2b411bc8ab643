"""The OpenAPI 3.1 description of the JSON API (kb/api.py), served at /api/v1/openapi.json.

One source: the limits, page sizes and closed vocabularies are read from the
modules that enforce them, and every object schema lists all its properties
with `additionalProperties: false`, so that tests/test_openapi.py fails when an
answer gains a field this file does not describe.
"""

import functools
import json

from kb import codes
from kb.api import MAX_SUGGESTIONS
from kb.bounce import advice, reasons
from kb.bounce.summary import GROUPS
from kb.filters import LIST_PAGE_SIZE, MAX_QUERY_LENGTH
from kb.forms import MAX_UPLOAD_BYTES, WEB_LIMITS
from kb.models import Code, Provider, ResolutionStep

STRING = {"type": "string"}
TEXT_OR_NULL = {"type": ["string", "null"]}
URL = {"type": "string", "format": "uri"}
MEGABYTES = MAX_UPLOAD_BYTES // (1024 * 1024)


def _object(properties, optional=()):
    """A closed object: every property required unless named optional, no other property allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def _nullable(schema):
    return {"oneOf": [schema, {"type": "null"}]}


def _enum(values, nullable=False):
    values = list(values)
    return {"enum": values + [None] if nullable else values}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _list(schema):
    return {"type": "array", "items": schema}


CODE_SUMMARY = {
    "code": {**STRING, "description": "The code as written canonically: 550 or 5.1.1."},
    "kind": _enum([codes.BASIC, codes.ENHANCED]),
    "title": STRING,
    "severity": _enum(codes.SEVERITY_BY_CLASS.values(), nullable=True),
    "url": {**URL, "description": "The entry's page."},
}

PROVIDER_SUMMARY = {"slug": STRING, "name": STRING, "url": {**URL, "description": "The provider in this API."}}

SCHEMAS = {
    "Error": _object(
        {
            "error": {**STRING, "description": "What went wrong, for a person."},
            "errors": {
                "type": "object",
                "description": "Per query parameter, what is wrong with its value (400 of the code list only).",
                "additionalProperties": _list(STRING),
            },
        },
        optional=["errors"],
    ),
    "CodeSummary": _object(CODE_SUMMARY),
    "CodeList": _object({
        "count": {"type": "integer", "minimum": 0},
        "next": _nullable(URL),
        "previous": _nullable(URL),
        "results": _list(_ref("CodeSummary")),
    }),
    "CodeDetail": _object({
        **CODE_SUMMARY,
        "class": _enum("12345"),
        "standing": _enum(Code.Standing.values),
        "summary": {**STRING, "description": "Markdown."},
        "causes": _list(_object({"text": {**STRING, "description": "Markdown."}})),
        "steps": _list(_object({"text": {**STRING, "description": "Markdown."},
                                "audience": _enum(ResolutionStep.Audience.values, nullable=True)})),
        "examples": _list(_object({"text": {**STRING, "description": "A reply a real server sent, verbatim."},
                                   "provider": TEXT_OR_NULL, "source": STRING})),
        "related": _list(STRING),
        "categories": _list(STRING),
    }),
    "Suggestions": _object({
        "q": {**STRING, "description": f"The text asked for, cut at {MAX_QUERY_LENGTH} characters."},
        "suggestions": _list(_object({"code": STRING, "title": STRING,
                                      "url": {**STRING, "description": "The entry's page, relative to the site."}})),
    }),
    "ProviderSummary": _object(PROVIDER_SUMMARY),
    "ProviderList": _object({"results": _list(_ref("ProviderSummary"))}),
    "ProviderDetail": _object({
        **PROVIDER_SUMMARY,
        "kind": _enum(Provider.Kind.values, nullable=True),
        "summary": {**STRING, "description": "Markdown."},
        "recognise": {**STRING, "description": "Markdown: how to tell its bounces."},
        "twists": {**STRING, "description": "Markdown: what it does unlike others."},
        "links": _list(_object({"url": URL, "title": STRING})),
        "hosts": _list(STRING),
        "signatures": _list(STRING),
        "examples": _list(_object({"entry": {**STRING, "description": "The code of the entry it illustrates."},
                                   "text": STRING, "source": STRING, "language": TEXT_OR_NULL})),
    }),
    "EspVerdict": _object({
        "esp": {**STRING, "description": "The ESP's short name, e.g. sendgrid."},
        "event": TEXT_OR_NULL,
        "permanent": {"type": ["boolean", "null"]},
        "bounce_type": TEXT_OR_NULL,
        "detail": TEXT_OR_NULL,
    }),
    "Finding": _object(
        {
            "recipient": TEXT_OR_NULL,
            "action": TEXT_OR_NULL,
            "reply_code": TEXT_OR_NULL,
            "status": TEXT_OR_NULL,
            "diagnostic": TEXT_OR_NULL,
            "span": _nullable({"type": "array", "items": {"type": "integer", "minimum": 0},
                               "minItems": 2, "maxItems": 2,
                               "description": "[start, end) of the diagnostic in the text sent."}),
            "remote_mta": TEXT_OR_NULL,
            "command": TEXT_OR_NULL,
            "esp": _nullable(_ref("EspVerdict")),
            "note": TEXT_OR_NULL,
            "entry": _nullable(_object({"code": STRING, "title": STRING, "url": URL})),
            "example": _nullable(_object({"text": STRING, "provider": TEXT_OR_NULL})),
            "matched_because": STRING,
            "provider": _nullable(_object({"slug": STRING, "name": STRING, "url": URL})),
            "hard_bounce": {"type": ["boolean", "null"]},
            "hard_bounce_why": {**STRING, "description": "Why it is hard or soft: the code's class, or what overrides it."},
            "reason": _enum(reasons.REASONS),
            "advice": _enum(advice.ACTIONS),
            "advice_why": STRING,
            "warnings": _list(STRING),
            "message": {**STRING, "description": "In a batch: the message (file, or file:number) it came from."},
        },
        optional=["message"],
    ),
    "BatchSummary": _object({
        "messages": {"type": "integer", "minimum": 0},
        "recipients": {"type": "integer", "minimum": 0},
        "unreadable": {"type": "integer", "minimum": 0},
        **{group: {"type": "object", "description": f"{heading}: recipients per value.",
                   "additionalProperties": {"type": "integer", "minimum": 0}} for group, heading in GROUPS.items()},
    }),
    "Analysis": _object(
        {
            "kind": {**STRING, "description": 'The format read ("dsn", "reply", "esp:sendgrid", ...), or "batch".'},
            "findings": _list(_ref("Finding")),
            "summary": _ref("BatchSummary"),
            "notes": _list(STRING),
            "unreadable": _list(_object({"message": STRING, "error": STRING})),
        },
        optional=["summary", "notes", "unreadable"],
    ),
}

ERRORS = {
    "400": "A filter value that is not valid; a bounce that is empty or cannot be read.",
    "404": "No such entry, provider or page.",
    "413": f"A bounce larger than {MEGABYTES} MB, or an archive past its limits.",
    "429": "Too many analyses from your address (RATE_LIMIT_ANALYZE, per client address).",
    "503": "The knowledge base is unavailable for a moment; Retry-After says when to try again.",
}


def _answers(schema, *errors, description="OK"):
    answers = {"200": {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}}
    for status in (*errors, "503"):
        answers[status] = {"description": ERRORS[status], "content": {"application/json": {"schema": _ref("Error")}}}
    answers["503"]["headers"] = {"Retry-After": {"description": "Seconds.", "schema": {"type": "integer"}}}
    return answers


def _query(name, description, schema=STRING):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _path(name, description):
    return {"name": name, "in": "path", "required": True, "description": description, "schema": STRING}


CODE_LIST_PARAMETERS = [
    _query("q", "A code however written (5726, 550 5.7.26, 5.7. for a family) or words.",
           {"type": "string", "maxLength": MAX_QUERY_LENGTH}),
    _query("class", "The first digit.", _enum("12345")),
    _query("kind", "Basic or enhanced.", _enum([codes.BASIC, codes.ENHANCED])),
    _query("category", "A problem category's slug."),
    _query("provider", "A provider's slug."),
    _query("severity", "By the code's class.", _enum(codes.SEVERITY_BY_CLASS.values())),
    _query("standing", "Where the code is defined.", _enum(Code.Standing.values)),
    _query("page", f"1, 2, ...: {LIST_PAGE_SIZE} entries a page; follow next rather than counting.",
           {"type": "integer", "minimum": 1}),
]

ANALYZE_BODY = {
    "required": True,
    "description": (f"A bounce: a reply line, an SMTP transcript, a whole email, an ESP's event JSON, an mbox or an "
                    f"archive (.zip, .tar.gz); at most {MEGABYTES} MB, and unpacked at most "
                    f"{WEB_LIMITS.max_messages} messages and {WEB_LIMITS.max_bytes // (1024 * 1024)} MB. "
                    "Nothing sent is stored or logged."),
    "content": {
        "message/rfc822": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}},
        "application/json": {"schema": {"description": "An ESP's webhook event, as the ESP sent it."}},
        "application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}},
        "multipart/form-data": {"schema": {
            "type": "object",
            "properties": {"file": _list({"type": "string", "contentMediaType": "application/octet-stream"})},
            "required": ["file"],
        }},
    },
}

PATHS = {
    "/api/v1/codes/": {"get": {
        "operationId": "listCodes", "summary": "Search and list published entries, ranked like the search page.",
        "parameters": CODE_LIST_PARAMETERS, "responses": _answers("CodeList", "400", "404"),
    }},
    "/api/v1/codes/{code}/": {"get": {
        "operationId": "getCode", "summary": "One published entry.",
        "parameters": [_path("code", "A reply code (550) or an enhanced status code (5.2.2), canonical.")],
        "responses": _answers("CodeDetail", "404"),
    }},
    "/api/v1/suggest": {"get": {
        "operationId": "suggest", "summary": f"Up to {MAX_SUGGESTIONS} entries for what is typed in a search box.",
        "parameters": [_query("q", "The text typed so far.")], "responses": _answers("Suggestions"),
    }},
    "/api/v1/analyze": {"post": {
        "operationId": "analyze", "summary": "Read a bounce: one finding per failed recipient, with its entry.",
        "requestBody": ANALYZE_BODY, "responses": _answers("Analysis", "400", "413", "429"),
    }},
    "/api/v1/providers/": {"get": {
        "operationId": "listProviders", "summary": "Every provider.", "responses": _answers("ProviderList"),
    }},
    "/api/v1/providers/{slug}/": {"get": {
        "operationId": "getProvider", "summary": "One provider, with the real replies of its servers.",
        "parameters": [_path("slug", "The provider's slug.")], "responses": _answers("ProviderDetail", "404"),
    }},
}


def document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "smtp-kb JSON API",
            "version": "1",
            "description": ("SMTP reply codes and a bounce analyser. No key is needed; answers are UTF-8 JSON and "
                            "every error is a JSON object with an `error` message. The people's reference is /api/."),
        },
        "servers": [{"url": "/"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }


@functools.cache
def document_json():
    """The document as bytes: it changes only with the code, so once per process (a release)."""
    return json.dumps(document(), ensure_ascii=False, indent=1).encode()
