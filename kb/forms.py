"""The analyse form: size limits, then kb.bounce, with BounceError as a form error.

One paste, or any number of uploaded files (messages, mbox files, .zip or .tar.gz archives of
.eml files) read as one batch, within the limits below; each limit has its own message.
"""

from django import forms

from kb.bounce import BounceError, batch

MAX_PASTE_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A whole request: the upload plus multipart framing, or a 1 MB paste after URL-encoding.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
# What one request may unpack to: messages, and bytes once archives are unpacked.
WEB_LIMITS = batch.Limits(max_messages=1000, max_bytes=50 * 1024 * 1024, max_ratio=100)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented way to take several files in one field: a list of uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AnalyzeForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        label="Paste a bounce",
        help_text="One reply line, an SMTP transcript, or a whole bounce email with its headers. Up to 1 MB.",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = MultipleFileField(
        required=False,
        label="or upload bounces as files",
        help_text=(f"One or more .eml or .txt files, an mbox, or a .zip or .tar.gz of .eml files: up to 10 MB "
                   f"in all, {WEB_LIMITS.max_messages:,} messages and {WEB_LIMITS.max_bytes // (1024 * 1024)} MB unpacked."),
        widget=MultipleFileInput(attrs={
            "accept": ".eml,.txt,.msg,.mbox,.zip,.gz,.tgz,.json,message/rfc822,text/plain,application/mbox,"
                      "application/zip,application/json",
        }),
    )

    # The page of recipient cards to show (views.MAX_CARDS a page): sent by the page's own
    # "next" and "previous" buttons, which post this form again, so nothing is kept on the server.
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text.encode("utf-8", "surrogatepass")) > MAX_PASTE_BYTES:
            raise forms.ValidationError(
                "That paste is larger than 1 MB. Paste only the bounce notice, or upload the file instead.",
                code="too_large",
            )
        return text

    def clean_file(self):
        uploads = self.cleaned_data["file"]
        if sum(upload.size for upload in uploads) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Those files add up to more than 10 MB, too big for one request.",
                                        code="too_large")
        return uploads

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, uploads = cleaned.get("text"), cleaned.get("file")
        if not uploads and not (text and text.strip()):
            raise forms.ValidationError("Paste a bounce or choose a file first: there is nothing to analyse.", code="empty")
        try:
            self.result = batch.read_all(self._batch(text, uploads))
        except batch.BatchLimitError as error:
            raise forms.ValidationError(str(error), code="too_large") from None
        except BounceError as error:
            raise forms.ValidationError(str(error), code="unusable") from None
        if not self.result.reports:
            raise forms.ValidationError(self._nothing_read(), code="unusable")
        # One message keeps the single-report view: its whole text, highlighted.
        self.report = self.result.reports[0][1] if len(self.result.reports) == 1 else None
        return cleaned

    def _batch(self, text, uploads):
        found = batch.Batch()
        for upload in uploads:
            batch.messages(upload.name, upload.read(), WEB_LIMITS, found)
        if not uploads:
            # A paste is read as given (its spans index the text shown), unless it is an mbox.
            if batch.is_mbox(text):
                batch.messages("pasted mbox", text.encode("utf-8", "surrogatepass"), WEB_LIMITS, found)
            else:
                found.items.append(("pasted text", text))
        return found

    def _nothing_read(self):
        unreadable = self.result.unreadable
        if len(unreadable) == 1:
            return unreadable[0][1]
        return f"None of the {len(unreadable)} messages could be read as a bounce."

    def is_too_large(self):
        return any(error.code == "too_large" for errors in self.errors.as_data().values() for error in errors)
