from django import forms
from django.contrib import admin
from django.utils import timezone

from kb import codes
from kb.models import Category, Cause, Code, ExampleReply, Provider, ResolutionStep


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = ["code", "title", "standing", "summary", "references", "categories", "related", "published"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if codes.kind_of(code) is None and code.isdigit() and len(code) in (3, 4, 5):
            guess = f"{code[0]}.{code[1]}.{code[2:]}"
            if codes.kind_of(guess):
                raise forms.ValidationError(
                    "“%(code)s” is not a code as written. Did you mean the enhanced code %(guess)s? "
                    "Enhanced codes are written with dots.",
                    code="enhanced_without_dots",
                    params={"code": code, "guess": guess},
                )
        return code

    def clean(self):
        cleaned = super().clean()
        code, standing = cleaned.get("code"), cleaned.get("standing")
        if code and standing and code.startswith("1") and standing != Code.Standing.FOLKLORE:
            self.add_error(
                "standing",
                forms.ValidationError(
                    "Codes starting with 1 are no SMTP replies (RFC 5321 §4.2.1 allows 2 to 5): "
                    "mark them as unofficial folklore.",
                    code="not_a_reply",
                ),
            )
        return cleaned


class RebuildsSearchIndex:
    """Entries, their items, providers and categories all feed the search index (kb/search.py).

    save_related runs after the object and its inlines are saved, on adding
    and on changing; the index is derived state, so it is rebuilt here rather
    than in save() or signals, which loaddata and bulk operations skip.
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Code.objects.rebuild_search_index()

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
class CodeAdmin(RebuildsSearchIndex, admin.ModelAdmin):
    form = CodeForm
    inlines = [CauseInline, ResolutionStepInline, ExampleReplyInline]
    list_display = ["code", "title", "kind", "severity", "standing", "published", "updated"]
    list_filter = [CodeClassFilter, CodeKindFilter, "standing", "published", "categories"]
    search_fields = ["code", "title", "examples__text"]
    filter_horizontal = ["categories", "related"]
    readonly_fields = ["updated"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        # Also runs when only an inline changed, so the date covers causes and steps.
        obj.updated = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ExampleReply)
class ExampleReplyAdmin(RebuildsSearchIndex, admin.ModelAdmin):
    list_display = ["code", "provider", "short_text", "source"]
    list_filter = ["provider"]
    list_select_related = ["code", "provider"]
    search_fields = ["text", "code__code", "source"]
    autocomplete_fields = ["code", "provider"]

    @admin.display(description="reply")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(Provider)
class ProviderAdmin(RebuildsSearchIndex, admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(RebuildsSearchIndex, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
