"""Feedback from visitors: opt-in, shown before it is sent, redacted, rate limited.

Two ways in, one review page:
- an analysed finding's "Wrong or no match?" posts the finding's reply line
  (already redacted, never the rest of the paste), its codes, the entry shown,
  its reason and advice; the analyse page holds a CSRF token anyway;
- an entry's "Did this answer your question? Yes / No" is a GET form, so the
  entry page keeps no CSRF token and stays in the page cache (kb/page_cache.py).

Either way the review page (never cached: it holds the CSRF token) shows
exactly what would be kept, editable, and stores nothing. Only its "Send" does,
after redacting again what the visitor may have typed: if that changes
anything, the page comes back with the redacted text to confirm, so what is
kept is always what the visitor saw. The client's address counts against the
limit (kb/ratelimit.py, hashed, in the cache only) and is never stored.
"""

from django import forms
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from kb import codes, ratelimit
from kb.bounce.advice import ACTIONS
from kb.bounce.reasons import REASONS
from kb.models import Code, Feedback
from kb.redact import MAX_LENGTH, redact

REVIEW, SEND = "review", "send"


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(choices=Feedback.Kind.choices, widget=forms.HiddenInput)
    entry = forms.CharField(required=False, max_length=11, widget=forms.HiddenInput)
    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes, it did"), ("no", "No, it did not")], coerce=lambda v: v == "yes",
        required=False, widget=forms.RadioSelect, label="Did this answer your question?",
    )
    text = forms.CharField(
        required=False, max_length=MAX_LENGTH, strip=True, label="What the server said",
        help_text="Addresses, IP addresses, host names, message IDs and long tokens are replaced. Change anything you like.",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    reply_code = forms.CharField(required=False, max_length=3, widget=forms.HiddenInput)
    status = forms.CharField(required=False, max_length=11, widget=forms.HiddenInput)
    reason = forms.ChoiceField(required=False, choices=[(name, name) for name in REASONS], widget=forms.HiddenInput)
    advice = forms.ChoiceField(required=False, choices=[(name, name) for name in ACTIONS], widget=forms.HiddenInput)
    comment = forms.CharField(
        required=False, max_length=MAX_LENGTH, label="Anything else? (optional)",
        help_text="What you expected, or what was missing. Please leave out names and addresses.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_entry(self):
        code = self.cleaned_data["entry"].strip()
        if not code:
            return None
        entry = Code.objects.published().filter(code=codes.canonical(code) or code).first()
        if entry is None:
            raise forms.ValidationError("There is no published entry %(code)s.", code="no_entry", params={"code": code})
        return entry

    def clean_reply_code(self):
        return self._code(self.cleaned_data["reply_code"], codes.BASIC)

    def clean_status(self):
        return self._code(self.cleaned_data["status"], codes.ENHANCED)

    def _code(self, value, kind):
        value = value.strip()
        if value and codes.kind_of(value) != kind:
            raise forms.ValidationError("“%(value)s” is not a code.", code="malformed_code", params={"value": value})
        return value

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned["kind"] == Feedback.Kind.ENTRY and (cleaned["entry"] is None or cleaned.get("helpful") in (None, "")):
            raise forms.ValidationError("Say yes or no about an entry.", code="no_answer")
        if cleaned["kind"] == Feedback.Kind.MATCH and not (cleaned["text"] or cleaned["reply_code"] or cleaned["status"]):
            raise forms.ValidationError("There is nothing to send: no reply and no code.", code="empty")
        return cleaned

    def redacted(self):
        """The cleaned data with text and comment redacted, and whether that changed what was posted."""
        data = dict(self.cleaned_data)
        changed = False
        for name in ("text", "comment"):
            data[name] = redact(data[name])
            changed |= data[name] != self.cleaned_data[name]
        return data, changed

    def save(self, data):
        return Feedback.objects.create(
            kind=data["kind"], entry=data["entry"], helpful=data["helpful"] if data["kind"] == Feedback.Kind.ENTRY else None,
            text=data["text"], reply_code=data["reply_code"], status_code=data["status"], reason=data["reason"],
            advice=data["advice"], comment=data["comment"],
        )


def initial_for_match(match):
    """What a finding's "Wrong or no match?" posts: its reply line redacted, its codes, the entry, reason and advice."""
    finding = match.finding
    return {
        "kind": Feedback.Kind.MATCH,
        "text": redact(finding.diagnostic or ""),
        "reply_code": finding.reply_code or "",
        "status": finding.status or "",
        "entry": match.entry.code if match.entry else "",
        "reason": finding.reason or "",
        "advice": finding.advice or "",
    }


@sensitive_post_parameters()
def feedback(request):
    """Review (GET from an entry, POST from an analysis), then send: only "send" stores anything."""
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "GET":
        source = source.copy()
        source.setdefault("kind", Feedback.Kind.ENTRY)
    form = FeedbackForm(source)
    if not form.is_valid():
        return _review(request, form, None, status=400)
    data, changed = form.redacted()
    if request.method == "GET" or request.POST.get("step") != SEND or changed:
        # Show what would be kept; after a redaction the visitor confirms the new text.
        return _review(request, _form_of(data), data, redacted_now=changed and request.POST.get("step") == SEND)
    if not ratelimit.allow(request, scope="feedback"):
        return _review(request, _form_of(data), data, rate_limited=True, status=429)
    form.save(data)
    return render(request, "kb/feedback_sent.html", {"entry": data["entry"]})


def _form_of(data):
    values = {**data, "entry": data["entry"].code if data["entry"] else ""}
    if data["kind"] == Feedback.Kind.ENTRY:
        values["helpful"] = "yes" if data["helpful"] else "no"
    return FeedbackForm(initial=values)


def _review(request, form, kept, status=200, **context):
    """The review page: kept is what Send would store (None when the request made no sense)."""
    context = {"form": form, "kept": kept, "about_entry": form["kind"].value() == Feedback.Kind.ENTRY, **context}
    return render(request, "kb/feedback.html", context, status=status)
