from urllib.parse import urlencode

import reversion
from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html_join
from django.utils.text import capfirst
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version

from kb import codes, content_checks, history
from kb.markup import render_markdown
from kb.models import Category, Cause, Code, ExampleReply, Feedback, Provider, ResolutionStep, SearchPhrase

PARKED_POSITION = 20000  # above any real position; PositiveSmallIntegerField holds up to 32767

admin.site.site_header = "smtp-kb editors"
admin.site.site_title = "smtp-kb editors"
admin.site.index_title = "The knowledge base"
# Text areas that grow, ordering by keyboard, the summary's live preview; kb/admin.css is
# on every admin page (templates/admin/base_site.html).
KB_MEDIA = forms.Media(js=["kb/admin.js"])
# One row per item: a text area that starts small and grows with its text (kb/admin.js).
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60, "class": "kb-grow"})}}


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = ["code", "range_end", "title", "standing", "summary", "references", "categories", "related", "published"]
        widgets = {
            # kb/admin.js shows the rendered summary beside it, from CodeAdmin.markdown_view.
            "summary": forms.Textarea(attrs={"rows": 8, "class": "kb-grow", "data-markdown-url": reverse_lazy("admin:kb_code_markdown")}),
        }

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        guess = codes.loose_enhanced(code) if codes.kind_of(code) is None else None
        if guess:
            raise forms.ValidationError(
                "“%(code)s” is not a code as written. Did you mean the enhanced code %(guess)s? "
                "Enhanced codes are written with dots.",
                code="enhanced_without_dots",
                params={"code": code, "guess": guess},
            )
        return code


class KeepsHistory(VersionAdmin):
    """Edit history (kb/history.py): each save recorded with its editor, shown as diffs, revertible.

    django-reversion's VersionAdmin records what the add, change and
    changelist views save. This adds: the object as it was before its first
    edit, a history page of diffs, and a revert that asks first.
    """

    object_history_template = "admin/kb/history.html"
    revert_template = "admin/kb/revert.html"
    history_per_page = 25

    def history_root(self, obj):
        """The object whose history obj's changes are part of."""
        return obj

    def history_roots(self, request, object_ids):
        """The objects a POST to the admin may change, to be recorded as they are before it does."""
        objects = (self.get_object(request, unquote(str(pk))) for pk in object_ids)
        return [self.history_root(obj) for obj in objects if obj is not None]

    def _record_before_saving(self, request, object_ids):
        if request.method == "POST":
            history.record_as_it_is(self.history_roots(request, object_ids))

    def add_view(self, request, form_url="", extra_context=None):
        self._record_before_saving(request, [])
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._record_before_saving(request, [object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        # A deleted object is recovered from its last version (reversion's "Recover deleted …").
        self._record_before_saving(request, [object_id])
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # Actions, such as "Delete selected", post the ids of the objects they act on.
        self._record_before_saving(request, request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        return super().changelist_view(request, extra_context)

    def has_view_history_permission(self, request, obj):
        # Seeing history is a right of its own, which the Editors group has.
        return self.has_view_or_change_permission(request, obj) and request.user.has_perm("reversion.view_version")

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if self.history_root(obj) != obj:
            return redirect(_admin_url(self.history_root(obj), "history"))
        if not self.has_view_history_permission(request, obj):
            raise PermissionDenied
        page = Paginator(Version.objects.get_for_object(obj).select_related("revision__user"), self.history_per_page)
        page = page.get_page(request.GET.get("p"))
        # The version before the oldest on this page, which its diff starts from.
        base = page.paginator.object_list[page.end_index()] if page.has_next() else None
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "page": page,
            "edits": history.timeline(obj, page, base),
            "can_revert": self.has_change_permission(request, obj),
            # Reverting to the newest version would change nothing.
            "latest": page[0].pk if page.number == 1 and page else None,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Revert obj to a version: GET shows what would change, POST does it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if self.history_root(obj) != obj:
            return redirect(_admin_url(self.history_root(obj), "history"))
        if not (self.has_view_history_permission(request, obj) and self.has_change_permission(request, obj)):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(obj).select_related("revision__user"), pk=version_id)
        if request.method == "POST":
            try:
                with transaction.atomic():
                    comment = self.revert(request, obj, version)
            except RevertError as error:
                self.message_user(request, f"Nothing was reverted: {error}", messages.ERROR)
            else:
                obj.refresh_from_db()
                self.message_user(request, f"“{obj}”: {comment}")
            return redirect(_admin_url(obj, "history"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revert {obj}?",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "version": version,
            "changes": history.changes_back_to(obj, version),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.revert_template, context)

    def revert(self, request, obj, version):
        """Revert obj to version, in the caller's transaction; returns what the history records."""
        comment = history.revert(version, request.user)
        self.log_change(request, obj, comment)
        return comment


def _preview_page(request, entry):
    """The entry's public page, marked as a preview. kb.views is imported here, not with this
    module: the admin's modules load at the start of every command (analyze_bounce too), and
    the views bring the whole site with them (0.15 s of a command's start-up)."""
    from kb import views

    return views.entry_page(request, entry, preview=True)


def _admin_url(obj, view):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


class RebuildsSearchIndex:
    """Entries, their items, providers and categories all feed the search index (kb/search.py).

    save_related runs after the object and its inlines are saved, on adding
    and on changing; the index is derived state, so it is rebuilt here rather
    than in save() or signals, which loaddata and bulk operations skip. A
    revert writes raw rows, so it rebuilds the index too.
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Code.objects.rebuild_search_index()

    def revert(self, request, obj, version):
        comment = super().revert(request, obj, version)
        Code.objects.rebuild_search_index()
        return comment

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        Code.objects.rebuild_search_index()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        Code.objects.rebuild_search_index()


class CompactInline(SortableTabularInline):
    """One row per item, put in order by dragging its handle or with the keyboard (django-admin-sortable2, kb/admin.js)."""

    extra = 0
    ordering = ["position"]
    formfield_overrides = COMPACT_TEXT


class CauseInline(CompactInline):
    model = Cause


class ResolutionStepInline(CompactInline):
    model = ResolutionStep
    fields = ["text", "audience"]


class ExampleReplyInline(CompactInline):
    model = ExampleReply
    fields = ["text", "provider", "source", "language", "notes"]
    autocomplete_fields = ["provider"]


class SearchPhraseInline(CompactInline):
    model = SearchPhrase
    fields = ["text", "shared"]
    verbose_name_plural = "also searched as"


class CodeClassFilter(admin.SimpleListFilter):
    title = "class"
    parameter_name = "class"

    def lookups(self, request, model_admin):
        return [(digit, f"{digit}xx / {digit}.x.x") for digit in "12345"]

    def queryset(self, request, queryset):
        return queryset.of_class(self.value()) if self.value() else queryset


class CodeKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(codes.BASIC, "Basic reply code"), (codes.ENHANCED, "Enhanced status code")]

    def queryset(self, request, queryset):
        return queryset.of_kind(self.value()) if self.value() else queryset


@admin.register(Code)
class CodeAdmin(SortableAdminBase, RebuildsSearchIndex, KeepsHistory):
    form = CodeForm
    change_form_template = "admin/kb/code/change_form.html"
    change_list_template = "admin/kb/code/change_list.html"
    inlines = [CauseInline, ResolutionStepInline, ExampleReplyInline, SearchPhraseInline]
    list_display = ["code", "title", "kind", "severity", "standing", "published", "updated"]
    list_filter = [CodeClassFilter, CodeKindFilter, "standing", "published", "categories"]
    search_fields = ["code", "title", "examples__text", "phrases__text"]
    filter_horizontal = ["categories", "related"]
    readonly_fields = ["updated"]
    show_full_result_count = False

    @property
    def media(self):
        return super().media + KB_MEDIA

    def get_urls(self):
        own = [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="kb_code_preview_new"),
            path("<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name="kb_code_preview"),
            path("markdown/", self.admin_site.admin_view(self.markdown_view), name="kb_code_markdown"),
            path("needs-attention/", self.admin_site.admin_view(self.needs_attention_view), name="kb_code_needs_attention"),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        context = {"problems": list(content_checks.entry_problems(obj)) if obj else [], **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def view_on_site(self, obj):
        # A draft has no public page: its preview is the page it will have.
        return obj.get_absolute_url() if obj.published else reverse("admin:kb_code_preview", args=[obj.pk])

    def save_model(self, request, obj, form, change):
        # Also runs when only an inline changed, so the date covers causes and steps.
        obj.updated = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Positions are unique per entry and rows are saved one by one, so swapping two
        # items would collide: first park every moved item beyond any real position.
        moved = [f.instance.pk for f in formset.initial_forms if "position" in f.changed_data]
        formset.model.objects.filter(pk__in=moved).update(position=F("position") + PARKED_POSITION)
        super().save_formset(request, form, formset, change)

    # Preview -------------------------------------------------------------

    def preview_view(self, request, object_id=None):
        """The public page of an entry as it is (GET), or as the posted change form would make it (POST).

        Staff only, never cached, never indexed. A posted form is saved in a
        transaction that is rolled back once the page is rendered, so the
        preview is the public page's own code and template on the unsaved data.
        """
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            raise Http404("No such entry.")
        allowed = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if not (allowed or (request.method == "GET" and self.has_view_permission(request, obj))):
            raise PermissionDenied
        if request.method == "POST":
            response = self._preview_unsaved(request, obj)
        elif obj is None:
            raise Http404("Preview a new entry from its form.")
        else:
            response = _preview_page(request, obj)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response

    def _preview_unsaved(self, request, obj):
        # The request reads the content token once (ContentTokenMiddleware): deriving the
        # index now keeps what is derived inside the transaction below from being kept.
        Code.objects.search_index()
        form = self.get_form(request, obj, change=obj is not None)(request.POST, request.FILES, instance=obj)
        errors = []
        with transaction.atomic():
            if form.is_valid():
                entry = form.save()
                formsets = self._bound_formsets(request, entry)
                errors = [error for formset in formsets for error in _formset_errors(formset)]
                if not errors:
                    for formset in formsets:
                        self.save_formset(request, form, formset, change=obj is not None)
                    response = _preview_page(request, Code.objects.get(pk=entry.pk))
            else:
                errors = [f"{name}: {' '.join(messages)}" for name, messages in form.errors.items()]
            transaction.set_rollback(True)
        if errors:
            context = {**self.admin_site.each_context(request), "title": "Cannot preview", "errors": errors, "opts": self.opts}
            return TemplateResponse(request, "admin/kb/code/preview_errors.html", context, status=400).render()
        return response

    def _bound_formsets(self, request, entry):
        formsets = []
        for inline in self.get_inline_instances(request, entry):
            formset_class = inline.get_formset(request, entry)
            kwargs = self.get_formset_kwargs(request, entry, inline, formset_class.get_default_prefix())
            formsets.append(formset_class(**kwargs))
        return formsets

    def markdown_view(self, request):
        """The summary's live preview: markdown rendered by the one renderer the pages use."""
        if request.method != "POST" or not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        return JsonResponse({"html": render_markdown(request.POST.get("text", "")[:100_000])})

    # Needs attention -----------------------------------------------------

    def needs_attention_view(self, request):
        """Entries that fail a content check, drafts, and entries with open feedback."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        problems = {}
        for code, problem in content_checks.all_problems():
            problems.setdefault(code, []).append(problem)
        entries = Code.objects.in_bulk(problems, field_name="code")
        feedback = (
            Feedback.objects.filter(status=Feedback.Status.OPEN).values("entry", "entry__code", "entry__title")
            .annotate(n=Count("pk")).order_by("-n", "entry__code")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Needs attention",
            "opts": self.opts,
            "failing": sorted(((code, entries.get(code), found) for code, found in problems.items()),
                              key=lambda row: codes.sort_key(row[0])),
            "drafts": Code.objects.filter(published=False).in_code_order(),
            "feedback": feedback,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/kb/code/needs_attention.html", context)


def _formset_errors(formset):
    if formset.is_valid():
        return []
    found = [f"{formset.prefix}: {error}" for error in formset.non_form_errors()]
    for n, errors in enumerate(formset.errors, 1):
        found += [f"{formset.prefix} {n}, {name}: {' '.join(messages)}" for name, messages in errors.items()]
    return found


class PrefilledItem:
    """The add form of an entry's item, prefilled from the query (?code=<entry id>&text=…), at the end of its entry."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        code = initial.get("code")
        if code and str(code).isdigit():
            last = self.model.objects.filter(code=code).aggregate(last=models.Max("position"))["last"]
            initial.setdefault("position", (last or 0) + 1)
        return initial


class EntryPartAdmin(PrefilledItem, RebuildsSearchIndex, KeepsHistory):
    """An example or a phrase edited on its own; it is part of its entry: the entry's history shows and reverts it."""

    list_select_related = ["code"]
    autocomplete_fields = ["code"]

    def history_root(self, obj):
        return obj.code

    def history_roots(self, request, object_ids):
        roots = super().history_roots(request, object_ids)
        # Adding an item, or moving one, changes the entry it is posted to.
        posted = request.POST.get("code", "")
        if posted.isdigit():
            roots += Code.objects.filter(pk=posted)
        return roots

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "code" in form.changed_data:
            # Moved to another entry: the revision records the entry it left, too.
            reversion.add_to_revision(Code.objects.get(pk=form.initial["code"]))


@admin.register(ExampleReply)
class ExampleReplyAdmin(EntryPartAdmin):
    list_display = ["code", "provider", "short_text", "source"]
    list_filter = ["provider"]
    list_select_related = ["code", "provider"]
    search_fields = ["text", "code__code", "source"]
    autocomplete_fields = ["code", "provider"]

    @admin.display(description="reply")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(SearchPhrase)
class SearchPhraseAdmin(EntryPartAdmin):
    list_display = ["text", "code", "shared"]
    list_filter = ["shared"]
    search_fields = ["text", "code__code"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """The queue of what visitors sent. Nothing to add or rewrite here: an item is read, acted on, marked done."""

    list_display = ["created", "kind", "entry", "helpful", "short_text", "status_code", "reason", "status"]
    list_filter = ["status", "kind", "helpful", "reason", "advice", ("entry", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["entry"]
    search_fields = ["text", "comment", "status_code", "reply_code", "entry__code"]
    readonly_fields = ["created", "kind", "entry", "helpful", "text", "reply_code", "status_code", "reason", "advice", "comment", "act"]
    fields = ["status", *readonly_fields]
    actions = ["mark_done", "reopen", "new_example", "new_phrase"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    @admin.display(description="reply")
    def short_text(self, obj):
        return (obj.text or obj.comment)[:80]

    @admin.display(description="act on it")
    def act(self, obj):
        links = [(_prefilled("examplereply", obj), "New example reply from this"), (_prefilled("searchphrase", obj), "New search phrase from this")]
        return format_html_join(" · ", '<a href="{}">{}</a>', [(url, label) for url, label in links if url])

    @admin.action(description="Mark the selected feedback done", permissions=["change"])
    def mark_done(self, request, queryset):
        self.message_user(request, f"{queryset.update(status=Feedback.Status.DONE)} marked done.")

    @admin.action(description="Reopen the selected feedback", permissions=["change"])
    def reopen(self, request, queryset):
        self.message_user(request, f"{queryset.update(status=Feedback.Status.OPEN)} reopened.")

    @admin.action(description="New example reply from the selected item", permissions=["view"])
    def new_example(self, request, queryset):
        return self._prefill(request, queryset, "examplereply")

    @admin.action(description="New search phrase from the selected item", permissions=["view"])
    def new_phrase(self, request, queryset):
        return self._prefill(request, queryset, "searchphrase")

    def _prefill(self, request, queryset, model_name):
        items = list(queryset[:2])
        url = _prefilled(model_name, items[0]) if len(items) == 1 else None
        if url is None:
            self.message_user(request, "Select one item that names an entry and has a text.", messages.WARNING)
            return None
        return redirect(url)


def _prefilled(model_name, item):
    """The add form of an example or a phrase of item's entry, with item's text; None when there is nothing to add."""
    text = item.text if model_name == "examplereply" else (item.text or item.comment)[:200]
    if item.entry_id is None or not text:
        return None
    query = {"code": item.entry_id, "text": text}
    if model_name == "examplereply":
        query["source"] = f"Visitor feedback #{item.pk}, {item.created:%Y-%m-%d} (redacted)"
    return f"{reverse(f'admin:kb_{model_name}_add')}?{urlencode(query)}"


@admin.register(Provider)
class ProviderAdmin(RebuildsSearchIndex, KeepsHistory):
    list_display = ["name", "slug", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(RebuildsSearchIndex, KeepsHistory):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
