from rest_framework import serializers

from bantu.core.indonesia import PROVINCES
from bantu.core.ratings import RATING_AVERAGE_HELP, RATING_COUNT_HELP
from bantu.core.serializers import StrictSerializer
from freelancers.models import MAX_HOURLY_RATE, MAX_PORTFOLIO_LINKS, FreelancerProfile
from taxonomy.models import Skill

MAX_SKILLS = 30


class SkillBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["slug", "name"]


class FreelancerUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class FreelancerProfileSerializer(serializers.ModelSerializer):
    user = FreelancerUserSerializer(read_only=True)
    skills = SkillBriefSerializer(many=True, read_only=True)
    rating_average = serializers.DecimalField(source="rating_avg", max_digits=3, decimal_places=2, read_only=True,
                                              help_text=RATING_AVERAGE_HELP)
    rating_count = serializers.IntegerField(read_only=True, help_text=RATING_COUNT_HELP)

    class Meta:
        model = FreelancerProfile
        fields = ["id", "user", "headline", "bio", "skills", "hourly_rate", "currency", "city", "province",
                  "portfolio_links", "availability", "rating_average", "rating_count", "created_at"]
        read_only_fields = fields


class FreelancerProfileWriteSerializer(StrictSerializer):
    headline = serializers.CharField(max_length=150, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    skills = serializers.SlugRelatedField(slug_field="slug", queryset=Skill.objects.all(), many=True, required=False,
                                          help_text=f"Skill slugs from `skills/`, at most {MAX_SKILLS}.")
    hourly_rate = serializers.IntegerField(min_value=0, max_value=MAX_HOURLY_RATE, required=False, allow_null=True,
                                           help_text="Integer rupiah per hour.")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    province = serializers.ChoiceField(choices=PROVINCES, required=False, allow_blank=True)
    portfolio_links = serializers.ListField(child=serializers.URLField(max_length=500), max_length=MAX_PORTFOLIO_LINKS,
                                            required=False)
    availability = serializers.ChoiceField(choices=FreelancerProfile.Availability.choices, required=False)

    def validate_skills(self, value):
        if len(value) > MAX_SKILLS:
            raise serializers.ValidationError(f"At most {MAX_SKILLS} skills.")
        return list(dict.fromkeys(value))
