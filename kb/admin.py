import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version

from kb import codes, history
from kb.models import Category, Cause, Code, ExampleReply, Provider, ResolutionStep, SearchPhrase

PARKED_POSITION = 20000  # above any real position; PositiveSmallIntegerField holds up to 32767


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = ["code", "range_end", "title", "standing", "summary", "references", "categories", "related", "published"]

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


class CauseInline(admin.StackedInline):
    model = Cause
    extra = 0
    ordering = ["position"]


class ResolutionStepInline(admin.StackedInline):
    model = ResolutionStep
    extra = 0
    ordering = ["position"]


class ExampleReplyInline(admin.StackedInline):
    model = ExampleReply
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["provider"]


class SearchPhraseInline(admin.TabularInline):
    model = SearchPhrase
    extra = 0
    ordering = ["position"]
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
class CodeAdmin(RebuildsSearchIndex, KeepsHistory):
    form = CodeForm
    inlines = [CauseInline, ResolutionStepInline, ExampleReplyInline, SearchPhraseInline]
    list_display = ["code", "title", "kind", "severity", "standing", "published", "updated"]
    list_filter = [CodeClassFilter, CodeKindFilter, "standing", "published", "categories"]
    search_fields = ["code", "title", "examples__text", "phrases__text"]
    filter_horizontal = ["categories", "related"]
    readonly_fields = ["updated"]
    show_full_result_count = False

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


@admin.register(ExampleReply)
class ExampleReplyAdmin(RebuildsSearchIndex, KeepsHistory):
    list_display = ["code", "provider", "short_text", "source"]
    list_filter = ["provider"]
    list_select_related = ["code", "provider"]
    search_fields = ["text", "code__code", "source"]
    autocomplete_fields = ["code", "provider"]

    # An example is part of its entry: the entry's history shows and reverts it.
    def history_root(self, obj):
        return obj.code

    def history_roots(self, request, object_ids):
        roots = super().history_roots(request, object_ids)
        # Adding an example, or moving one, changes the entry it is posted to.
        posted = request.POST.get("code", "")
        if posted.isdigit():
            roots += Code.objects.filter(pk=posted)
        return roots

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "code" in form.changed_data:
            # Moved to another entry: the revision records the entry it left, too.
            reversion.add_to_revision(Code.objects.get(pk=form.initial["code"]))

    @admin.display(description="reply")
    def short_text(self, obj):
        return obj.text[:100]


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
