from rest_framework import serializers

from bantu.core.serializers import StrictSerializer
from reviews.models import MAX_COMMENT, MAX_REPLY, MAX_STARS, MIN_STARS, Review


class ReviewPersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class ReviewCompanySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ReviewJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()


class ReviewReplySerializer(serializers.Serializer):
    body = serializers.CharField(source="reply")
    created_at = serializers.DateTimeField(source="replied_at")


class ReviewSerializer(serializers.ModelSerializer):
    """One review. `side` wrote it and reviews the other side of the contract: `company` (by an owner or admin)
    reviews `freelancer`, `freelancer` reviews `company`."""

    author = ReviewPersonSerializer(read_only=True)
    freelancer = ReviewPersonSerializer(read_only=True, help_text="The contract's freelancer.")
    company = ReviewCompanySerializer(read_only=True, help_text="The contract's company.")
    job = ReviewJobSerializer(source="contract.job", read_only=True)
    contract = serializers.UUIDField(source="contract_id", read_only=True)
    communication = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="1-5, by the company only; null on a freelancer's review."
    )
    quality = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="1-5, by the company only; null on a freelancer's review."
    )
    timeliness = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="1-5, by the company only; null on a freelancer's review."
    )
    hidden = serializers.BooleanField(
        source="is_hidden", read_only=True, help_text="Hidden by an operator: out of public lists and ratings."
    )
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "contract",
            "job",
            "side",
            "author",
            "freelancer",
            "company",
            "rating",
            "comment",
            "communication",
            "quality",
            "timeliness",
            "status",
            "published_at",
            "hidden",
            "reply",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_reply(self, review) -> ReviewReplySerializer(allow_null=True):
        return ReviewReplySerializer(review).data if review.replied_at else None


def _stars(help_text: str, **kwargs):
    return serializers.IntegerField(min_value=MIN_STARS, max_value=MAX_STARS, help_text=help_text, **kwargs)


class ReviewWriteSerializer(StrictSerializer):
    rating = _stars("Overall, 1-5 stars.")
    comment = serializers.CharField(min_length=1, max_length=MAX_COMMENT)
    communication = _stars("1-5. Required from the company, refused from the freelancer.", required=False)
    quality = _stars("1-5. Required from the company, refused from the freelancer.", required=False)
    timeliness = _stars("1-5. Required from the company, refused from the freelancer.", required=False)


class ReviewCreateSerializer(ReviewWriteSerializer):
    contract = serializers.UUIDField(help_text="A completed contract of yours.")

    field_order = ["contract"]


class ReviewReplyCreateSerializer(StrictSerializer):
    body = serializers.CharField(min_length=1, max_length=MAX_REPLY)


class ReviewHideSerializer(StrictSerializer):
    reason = serializers.CharField(min_length=3, max_length=500, help_text="Why; the author is told.")
