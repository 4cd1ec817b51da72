import django_filters

from bantu.core.filters import StableOrderingFilter, StrictFilterSet
from proposals.models import Proposal


class ProposalFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)
    ordering = StableOrderingFilter(fields=(("amount", "amount"), ("created_at", "created")),
                                    help_text="`amount`, `-amount` (bid), `created`, `-created` (default).")

    class Meta:
        model = Proposal
        fields = ["status"]


class MyProposalFilter(ProposalFilter):
    side = django_filters.ChoiceFilter(choices=[("freelancer", "freelancer"), ("company", "company")],
                                       method="filter_side",
                                       help_text="`freelancer`: proposals you sent; `company`: proposals to your "
                                                 "companies' jobs. Default: both.")

    def filter_side(self, queryset, name, value):
        return queryset  # applied by the view's selector
