import django_filters

from bantu.core.filters import StrictFilterSet
from reviews.models import Review


class MyReviewFilter(StrictFilterSet):
    """The filtering itself is the selector's (`review_list_mine`); this declares and validates the parameter."""

    direction = django_filters.ChoiceFilter(
        choices=[("written", "written"), ("received", "received")],
        method="keep",
        help_text="`written`: by your side (pending ones too); `received`: published reviews of you. Both when "
        "left out.",
    )

    class Meta:
        model = Review
        fields = ["direction"]

    def keep(self, queryset, name, value):
        return queryset
