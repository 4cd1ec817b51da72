"""Idempotent demo data for the embedded server (seeding.writers.demo_seed): a superuser, an operator of each group
(support, moderator, finance), a company with two members, two freelancers, five jobs and a contract to fund."""

from django.core.management.base import BaseCommand

from seeding.vocabulary import DEMO_ADMIN, DEMO_FREELANCERS, DEMO_OPERATORS, DEMO_OWNER, DEMO_PASSWORD, DEMO_RECRUITER
from seeding.writers import demo_seed


class Command(BaseCommand):
    help = "Create demo users, a company and freelancers (safe to run again)."

    def handle(self, *args, **options):
        contract = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Operator (admin):   {DEMO_ADMIN[0]} / {DEMO_PASSWORD}")
        for email, _, group in DEMO_OPERATORS:
            self.stdout.write(f"  Operator ({group}):{' ' * (10 - len(group))}{email} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Company owner:      {DEMO_OWNER[0]} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Company recruiter:  {DEMO_RECRUITER[0]} / {DEMO_PASSWORD}")
        for email, *_ in DEMO_FREELANCERS:
            self.stdout.write(f"  Freelancer:         {email} / {DEMO_PASSWORD}")
        first = contract.milestones.order_by("position").first()
        self.stdout.write(f"  A contract to fund: POST /api/v1/milestones/{first.pk}/fund/ as the owner, then open "
                          "the checkout_url (sandbox gateway)")
