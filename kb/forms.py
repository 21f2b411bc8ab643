"""The analyse form: size limits, then kb.bounce, with BounceError as a form error."""

from django import forms

from kb.bounce import BounceError, parse

MAX_PASTE_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A whole request: the upload plus multipart framing, or a 1 MB paste after URL-encoding.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024


class AnalyzeForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        label="Paste a bounce",
        help_text="One reply line, an SMTP transcript, or a whole bounce email with its headers. Up to 1 MB.",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        required=False,
        label="or upload the bounce as a file",
        help_text="An .eml or .txt file, up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,.txt,.msg,message/rfc822,text/plain"}),
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text.encode("utf-8", "surrogatepass")) > MAX_PASTE_BYTES:
            raise forms.ValidationError(
                "That paste is larger than 1 MB. Paste only the bounce notice, or upload the file instead.",
                code="too_large",
            )
        return text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("That file is larger than 10 MB, too big for a bounce.", code="too_large")
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, upload = cleaned.get("text"), cleaned.get("file")
        if upload:
            data = upload.read()
        elif text and text.strip():
            data = text
        else:
            raise forms.ValidationError("Paste a bounce or choose a file first: there is nothing to analyse.", code="empty")
        try:
            self.report = parse(data)
        except BounceError as error:
            raise forms.ValidationError(str(error), code="unusable") from None
        return cleaned

    def is_too_large(self):
        return any(error.code == "too_large" for errors in self.errors.as_data().values() for error in errors)
