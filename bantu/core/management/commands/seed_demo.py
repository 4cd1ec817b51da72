"""Idempotent demo data for the embedded server: an operator, a company with two members, two freelancers."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from companies.models import Company, Membership
from companies.services import company_create
from freelancers.models import FreelancerProfile
from freelancers.services import freelancer_profile_create
from taxonomy.models import Skill

DEMO_PASSWORD = "BantuDemo!2026"
ADMIN = ("admin@bantu.local", "Operator Bantu")
OWNER = ("owner@demo.bantu.id", "Sari Wijaya")
RECRUITER = ("recruiter@demo.bantu.id", "Budi Santoso")
FREELANCERS = [
    ("freelancer@demo.bantu.id", "Dewi Lestari", "Desainer Grafis & UI/UX", 150_000, "Bandung", "Jawa Barat",
     ["figma", "adobe-illustrator", "adobe-photoshop"]),
    ("dev@demo.bantu.id", "Rizky Pratama", "Full-stack Developer (Django, React)", 250_000, "Yogyakarta",
     "DI Yogyakarta", ["django", "react", "postgresql"]),
]


def _user(email, name, **extra):
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name, **extra)
    return user


class Command(BaseCommand):
    help = "Create demo users, a company and freelancers (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        _user(*ADMIN, is_staff=True, is_superuser=True)
        owner = _user(*OWNER)
        company = Company.objects.filter(memberships__user=owner).first()
        if company is None:
            company = company_create(owner=owner, name="Nusantara Digital", industry="E-commerce",
                                     size=Company.Size.SMALL, city="Jakarta Selatan", province="DKI Jakarta",
                                     website="https://nusantara-digital.example",
                                     description="Toko online produk UMKM dari seluruh Indonesia.")
        recruiter = _user(*RECRUITER)
        Membership.objects.get_or_create(company=company, user=recruiter,
                                         defaults={"role": Membership.Role.RECRUITER})
        for email, name, headline, rate, city, province, skills in FREELANCERS:
            user = _user(email, name)
            if not FreelancerProfile.objects.filter(user=user).exists():
                freelancer_profile_create(user=user, data={
                    "headline": headline, "hourly_rate": rate, "city": city, "province": province,
                    "skills": list(Skill.objects.filter(slug__in=skills)),
                    "portfolio_links": [f"https://portfolio.example/{email.split('@')[0]}"],
                })
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Operator (admin):   {ADMIN[0]} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Company owner:      {OWNER[0]} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Company recruiter:  {RECRUITER[0]} / {DEMO_PASSWORD}")
        for email, *_ in FREELANCERS:
            self.stdout.write(f"  Freelancer:         {email} / {DEMO_PASSWORD}")
