"""FieldsBuiltOnceMixin: fields built once per class, a fresh copy per instance, the same output."""

import datetime
import uuid

from rest_framework import serializers

from bantu.core.serializers import FieldsBuiltOnceMixin
from proposals.api.serializers import MilestoneSerializer
from proposals.models import Milestone


class PlainMilestoneSerializer(serializers.ModelSerializer):
    contract = serializers.UUIDField(source="contract_id", read_only=True)

    class Meta:
        model = Milestone
        fields = MilestoneSerializer.Meta.fields
        read_only_fields = fields
        extra_kwargs = MilestoneSerializer.Meta.extra_kwargs


def _milestone() -> Milestone:
    return Milestone(id=uuid.uuid4(), contract_id=uuid.uuid4(), position=2, title="Desain logo", amount=1_500_000,
                     status=Milestone.Status.SUBMITTED, due_date=datetime.date(2026, 12, 24),
                     submitted_at=datetime.datetime(2026, 12, 1, 3, 4, 5, tzinfo=datetime.UTC))


def test_renders_what_a_plain_model_serializer_renders():
    milestone = _milestone()
    assert MilestoneSerializer(milestone).data == PlainMilestoneSerializer(milestone).data
    assert MilestoneSerializer(milestone).data == PlainMilestoneSerializer(milestone).data  # from the built fields


def test_each_instance_gets_its_own_bound_fields():
    first, second = MilestoneSerializer(_milestone()), MilestoneSerializer(_milestone())
    assert first.fields["title"] is not second.fields["title"]
    assert first.fields["title"].parent is first and second.fields["title"].parent is second


def test_fields_are_built_once_per_class(monkeypatch):
    class Counting(FieldsBuiltOnceMixin, PlainMilestoneSerializer):
        builds = 0

        def build_field(self, *args, **kwargs):
            type(self).builds += 1
            return super().build_field(*args, **kwargs)

    for _ in range(3):
        Counting(_milestone()).data  # noqa: B018
    assert Counting.builds == len(MilestoneSerializer.Meta.fields) - 1  # each model field once ("contract": declared)


def test_nested_serializers_are_copied_whole():
    from proposals.api.serializers import ContractSerializer

    class Contracts(FieldsBuiltOnceMixin, ContractSerializer):
        pass

    first, second = Contracts(), Contracts()
    assert first.fields["milestones"] is not second.fields["milestones"]
    assert first.fields["milestones"].child is not second.fields["milestones"].child
    assert first.fields["milestones"].parent is first and second.fields["milestones"].parent is second
