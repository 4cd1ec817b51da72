"""Idempotent demo data for the embedded server: a superuser, an operator of each group (support, moderator,
finance), a company with two members, two freelancers."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from companies.models import Company, Membership
from companies.services import company_create
from freelancers.models import FreelancerProfile
from freelancers.services import freelancer_profile_create
from jobs.models import Job
from jobs.services import job_create
from proposals.models import Contract
from proposals.services import proposal_accept, proposal_submit
from taxonomy.models import Category, Skill

DEMO_PASSWORD = "BantuDemo!2026"
ADMIN = ("admin@bantu.local", "Operator Bantu")
OPERATORS = [("support@bantu.local", "Operator Support", "support"),
             ("moderator@bantu.local", "Operator Moderator", "moderator"),
             ("finance@bantu.local", "Operator Finance", "finance")]
OWNER = ("owner@demo.bantu.id", "Sari Wijaya")
RECRUITER = ("recruiter@demo.bantu.id", "Budi Santoso")
FREELANCERS = [
    ("freelancer@demo.bantu.id", "Dewi Lestari", "Desainer Grafis & UI/UX", 150_000, "Bandung", "Jawa Barat",
     ["figma", "adobe-illustrator", "adobe-photoshop"]),
    ("dev@demo.bantu.id", "Rizky Pratama", "Full-stack Developer (Django, React)", 250_000, "Yogyakarta",
     "DI Yogyakarta", ["django", "react", "postgresql"]),
]

DEMO_JOBS = [
    ("Desainer Grafis untuk Logo Kedai Kopi", "logo-brand-identity", ["adobe-illustrator", "figma"],
     1_500_000, 3_000_000, "Kami membuka kedai kopi di Jakarta Selatan dan butuh logo, palet warna dan panduan "
     "merek sederhana. Kirimkan portofolio logo F&B Anda."),
    ("Pembuatan Website Toko Online UMKM Batik", "web-development", ["wordpress", "woocommerce"],
     5_000_000, 12_000_000, "Website toko online untuk batik tulis Pekalongan: katalog, keranjang, pembayaran "
     "transfer bank dan e-wallet, serta halaman cerita pengrajin."),
    ("Backend Developer Django untuk Aplikasi Logistik", "backend-development", ["django", "postgresql"],
     15_000_000, 30_000_000, "Membangun REST API pelacakan pengiriman dengan Django REST framework dan "
     "PostgreSQL, termasuk integrasi webhook kurir."),
    ("Social Media Admin Instagram & TikTok", "social-media-management", ["instagram-marketing", "tiktok-marketing"],
     2_500_000, 4_000_000, "Mengelola konten harian Instagram dan TikTok untuk brand fesyen muslim, "
     "termasuk jadwal posting, caption dan laporan bulanan."),
    ("English-Indonesian Translator for Legal Documents", "sworn-translation", ["translation-en-id"],
     3_000_000, 7_500_000, "Translate 40 pages of contracts and company deeds from English to Indonesian. "
     "Sworn translator preferred."),
]


def _user(email, name, **extra):
    """The demo user, with a verified email (demo accounts can post, apply, fund and withdraw at once)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name,
                                        email_verified_at=timezone.now(), **extra)
    elif user.email_verified_at is None:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    return user


class Command(BaseCommand):
    help = "Create demo users, a company and freelancers (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        _user(*ADMIN, is_staff=True, is_superuser=True)
        for email, name, group in OPERATORS:
            _user(email, name, is_staff=True).groups.add(Group.objects.get(name=group))
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
        if not Job.objects.filter(company=company).exists():
            self._jobs(company, owner)
        contract = Contract.objects.filter(company=company).first() or self._contract(company, owner)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Operator (admin):   {ADMIN[0]} / {DEMO_PASSWORD}")
        for email, _, group in OPERATORS:
            self.stdout.write(f"  Operator ({group}):{' ' * (10 - len(group))}{email} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Company owner:      {OWNER[0]} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Company recruiter:  {RECRUITER[0]} / {DEMO_PASSWORD}")
        for email, *_ in FREELANCERS:
            self.stdout.write(f"  Freelancer:         {email} / {DEMO_PASSWORD}")
        first = contract.milestones.order_by("position").first()
        self.stdout.write(f"  A contract to fund: POST /api/v1/milestones/{first.pk}/fund/ as the owner, then open "
                          "the checkout_url (sandbox gateway)")

    def _jobs(self, company, owner):
        categories = {category.slug: category for category in Category.objects.filter(parent__isnull=False)}
        for title, category, skills, low, high, description in DEMO_JOBS:
            job_create(company=company, posted_by=owner, title=title, description=description,
                       category=categories[category], skills=list(Skill.objects.filter(slug__in=skills)),
                       budget_min=low, budget_max=high)

    def _contract(self, company, owner):
        """Dewi's accepted proposal for the logo job: a contract with two milestones, ready to be funded."""
        job = Job.objects.filter(company=company, title=DEMO_JOBS[0][0]).first()
        freelancer = User.objects.get(email__iexact=FREELANCERS[0][0])
        proposal = proposal_submit(job=job, freelancer=freelancer, amount=2_500_000, duration_days=14,
                                   cover_letter="Saya sudah membuat lebih dari 40 logo untuk kedai kopi di Bandung "
                                                "dan Jakarta. Portofolio terlampir.")
        return proposal_accept(proposal=proposal, actor=owner, milestones=[
            {"title": "Konsep logo dan palet warna", "amount": 1_000_000},
            {"title": "Logo final dan panduan merek", "amount": 1_500_000},
        ])
