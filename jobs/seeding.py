"""Realistic jobs in bulk, for benchmarks and load tests (`manage.py seed_jobs`).

Everything the generator writes comes from one `random.Random(seed)`, so a seed always yields the same companies,
titles, descriptions, budgets and skills; only the UUIDv7 ids (time + OS randomness) differ between runs. Jobs are
generated oldest first, so the time-ordered ids follow `published_at`.

On PostgreSQL rows go in with COPY (the search trigger fills `search_vector` row by row, as for any insert); on
other databases with `bulk_create`. Nothing here bumps cache versions per row: the command calls
`jobs.cache.everything_changed()` once at the end.
"""

import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from bantu.core.indonesia import PROVINCES
from bantu.core.models import uuid7
from companies.models import Company, Membership
from taxonomy.models import Category, Skill

from .models import Job

# ---------------------------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------------------------

# A few real cities (kota / kabupaten people write) for every province in bantu.core.indonesia.PROVINCES.
PROVINCE_CITIES = {
    "Aceh": ("Banda Aceh", "Lhokseumawe", "Langsa"),
    "Sumatera Utara": ("Medan", "Binjai", "Pematangsiantar", "Deli Serdang"),
    "Sumatera Barat": ("Padang", "Bukittinggi", "Payakumbuh"),
    "Riau": ("Pekanbaru", "Dumai"),
    "Kepulauan Riau": ("Batam", "Tanjungpinang"),
    "Jambi": ("Jambi", "Muaro Jambi"),
    "Sumatera Selatan": ("Palembang", "Prabumulih", "Lubuklinggau"),
    "Kepulauan Bangka Belitung": ("Pangkalpinang", "Belitung"),
    "Bengkulu": ("Bengkulu",),
    "Lampung": ("Bandar Lampung", "Metro"),
    "DKI Jakarta": ("Jakarta Selatan", "Jakarta Pusat", "Jakarta Barat", "Jakarta Timur", "Jakarta Utara"),
    "Jawa Barat": ("Bandung", "Bekasi", "Bogor", "Depok", "Cimahi", "Cirebon", "Tasikmalaya", "Sukabumi"),
    "Banten": ("Tangerang", "Tangerang Selatan", "Serang", "Cilegon"),
    "Jawa Tengah": ("Semarang", "Surakarta", "Magelang", "Pekalongan", "Salatiga", "Tegal"),
    "DI Yogyakarta": ("Yogyakarta", "Sleman", "Bantul"),
    "Jawa Timur": ("Surabaya", "Malang", "Sidoarjo", "Kediri", "Jember", "Madiun"),
    "Bali": ("Denpasar", "Badung", "Gianyar", "Buleleng"),
    "Nusa Tenggara Barat": ("Mataram", "Bima", "Lombok Tengah"),
    "Nusa Tenggara Timur": ("Kupang", "Manggarai Barat", "Ende"),
    "Kalimantan Barat": ("Pontianak", "Singkawang"),
    "Kalimantan Tengah": ("Palangka Raya", "Kotawaringin Timur"),
    "Kalimantan Selatan": ("Banjarmasin", "Banjarbaru"),
    "Kalimantan Timur": ("Samarinda", "Balikpapan", "Bontang"),
    "Kalimantan Utara": ("Tarakan", "Bulungan"),
    "Sulawesi Utara": ("Manado", "Bitung", "Tomohon"),
    "Gorontalo": ("Gorontalo",),
    "Sulawesi Tengah": ("Palu", "Poso"),
    "Sulawesi Barat": ("Mamuju", "Majene"),
    "Sulawesi Selatan": ("Makassar", "Parepare", "Palopo", "Gowa"),
    "Sulawesi Tenggara": ("Kendari", "Baubau"),
    "Maluku": ("Ambon", "Tual"),
    "Maluku Utara": ("Ternate", "Tidore Kepulauan"),
    "Papua": ("Jayapura",),
    "Papua Barat": ("Manokwari",),
    "Papua Barat Daya": ("Sorong",),
    "Papua Selatan": ("Merauke",),
    "Papua Tengah": ("Nabire", "Mimika"),
    "Papua Pegunungan": ("Jayawijaya",),
}
# Where the work is: Java and the big cities dominate; every other province gets weight 1.
PROVINCE_WEIGHTS = {
    "DKI Jakarta": 30, "Jawa Barat": 20, "Jawa Timur": 14, "Jawa Tengah": 10, "Banten": 9, "DI Yogyakarta": 7,
    "Bali": 6, "Sumatera Utara": 5, "Sulawesi Selatan": 4, "Sumatera Selatan": 3, "Kepulauan Riau": 3,
    "Kalimantan Timur": 3, "Riau": 2, "Lampung": 2, "Sumatera Barat": 2,
}

# Clients (Indonesian, English).
BUSINESSES = (
    ("Kedai Kopi", "Coffee Shop"), ("Brand Fashion Muslim", "Modest Fashion Brand"),
    ("Toko Online Kosmetik", "Online Cosmetics Store"), ("Startup Fintech", "Fintech Startup"),
    ("Klinik Kecantikan", "Beauty Clinic"), ("Restoran Padang", "Padang Restaurant"),
    ("Sekolah Swasta", "Private School"), ("Kantor Notaris", "Notary Office"),
    ("Hotel Butik di Bali", "Boutique Hotel in Bali"), ("Koperasi Simpan Pinjam", "Credit Cooperative"),
    ("Bengkel Mobil", "Car Workshop"), ("Toko Bangunan", "Building Supply Store"),
    ("Usaha Katering", "Catering Business"), ("Brand Skincare Lokal", "Local Skincare Brand"),
    ("Travel Umroh", "Umrah Travel Agency"), ("Developer Perumahan", "Housing Developer"),
    ("Startup Edutech", "Edtech Startup"), ("Laundry Kiloan", "Laundry Business"), ("Apotek", "Pharmacy"),
    ("Distributor Sembako", "Grocery Distributor"), ("Toko Roti", "Bakery"),
    ("UMKM Keripik Pisang", "Banana Chips Maker"), ("Produk Frozen Food", "Frozen Food Brand"),
    ("Butik Batik", "Batik Boutique"), ("Studio Yoga", "Yoga Studio"), ("Agen Properti", "Property Agency"),
    ("Rumah Sakit Swasta", "Private Hospital"), ("Perusahaan Logistik", "Logistics Company"),
    ("Pabrik Garmen", "Garment Factory"), ("Lembaga Kursus", "Course Provider"),
    ("Penerbit Buku", "Book Publisher"), ("Wedding Organizer", "Wedding Organiser"),
    ("Klinik Hewan", "Veterinary Clinic"), ("Startup Agritech", "Agritech Startup"),
    ("Toko Elektronik", "Electronics Store"), ("Brand Sepatu Lokal", "Local Shoe Brand"),
    ("Perusahaan Tambang", "Mining Company"), ("Kantor Akuntan Publik", "Accounting Firm"),
    ("Yayasan Pendidikan", "Education Foundation"), ("Pondok Pesantren", "Islamic Boarding School"),
    ("Coffee Roastery", "Coffee Roastery"), ("Aplikasi Ojek Online", "Ride-hailing App"),
    ("Marketplace Kerajinan", "Handicraft Marketplace"), ("Perusahaan Asuransi", "Insurance Company"),
    ("Dealer Motor", "Motorcycle Dealer"), ("Homestay di Yogyakarta", "Homestay in Yogyakarta"),
    ("Brand Hijab", "Hijab Brand"), ("Pusat Kebugaran", "Fitness Centre"), ("Toko Mainan Anak", "Toy Store"),
    ("Franchise Minuman Boba", "Bubble Tea Franchise"),
)

# Per child category: weight (how common), the verb of the work, who does it, what is made; Indonesian then
# English. Fields are "|"-separated. A category missing here (the taxonomy grew) falls back to its own names.
CATEGORY_TEXT = {
    # Desain & Kreatif
    "logo-brand-identity": (3, "Desain", "Desainer Logo|Desainer Grafis|Brand Designer",
                            "Logo|Identitas Visual|Logo dan Kartu Nama|Brand Guideline",
                            "Logo Designer|Brand Designer", "Logo|Brand Identity|Logo and Business Cards"),
    "graphic-design": (4, "Desain", "Desainer Grafis|Graphic Designer|Desainer Konten Visual",
                       "Feed Instagram|Banner Promosi|Poster dan Flyer|Katalog Produk|Spanduk Grand Opening",
                       "Graphic Designer", "Instagram Feed|Promo Banners|Posters and Flyers|Product Catalogue"),
    "illustration": (2, "Pembuatan", "Ilustrator|Ilustrator Digital|Character Designer",
                     "Ilustrasi Buku Anak|Maskot|Ilustrasi Kemasan|Stiker WhatsApp",
                     "Illustrator|Character Designer", "Children's Book Illustrations|Mascot|Packaging Artwork"),
    "ui-ux-design": (3, "Desain", "UI/UX Designer|Desainer UI|Product Designer",
                     "Aplikasi Mobile|Dashboard Admin|Landing Page|Aplikasi Kasir",
                     "UI/UX Designer|Product Designer", "Mobile App UI|Admin Dashboard|Landing Page"),
    "photo-editing": (2, "Edit", "Editor Foto|Retoucher Foto", "Foto Produk|Foto Katalog|Foto Prewedding",
                      "Photo Editor|Photo Retoucher", "Product Photos|Catalogue Photos"),
    "packaging-label-design": (2, "Desain", "Desainer Kemasan|Desainer Grafis",
                               "Kemasan Produk|Label Botol|Stiker Kemasan|Dus Kemasan",
                               "Packaging Designer", "Product Packaging|Bottle Labels|Box Packaging"),
    "presentation-design": (1, "Desain", "Desainer Presentasi|Desainer Pitch Deck",
                            "Pitch Deck Investor|Slide Presentasi|Company Profile",
                            "Presentation Designer|Pitch Deck Designer",
                            "Investor Pitch Deck|Sales Presentation|Company Profile Deck"),
    # Pemrograman & Teknologi
    "web-development": (5, "Pembuatan", "Web Developer|Frontend Developer|Fullstack Developer",
                        "Website|Website Company Profile|Landing Page|Website Toko Online",
                        "Web Developer|Frontend Developer|Full-stack Developer",
                        "Website|Company Website|Landing Page"),
    "backend-development": (4, "Pengembangan", "Backend Developer|Programmer Backend|Software Engineer",
                            "API|Sistem Backend|Aplikasi Web|Sistem Informasi",
                            "Backend Developer|Software Engineer", "REST API|Backend System|Web Application"),
    "mobile-app-development": (4, "Pembuatan", "Mobile Developer|Developer Android|Flutter Developer",
                               "Aplikasi Mobile|Aplikasi Android|Aplikasi iOS|Aplikasi Kasir",
                               "Mobile Developer|Android Developer|Flutter Developer",
                               "Mobile App|Android App|iOS App"),
    "wordpress-cms": (3, "Pembuatan", "WordPress Developer|Web Developer",
                      "Website WordPress|Blog WordPress|Landing Page Elementor",
                      "WordPress Developer", "WordPress Website|WordPress Blog"),
    "ecommerce-store-development": (3, "Pembuatan", "Developer Toko Online|Web Developer|Shopify Developer",
                                    "Toko Online|Website Toko Online|Integrasi Pembayaran",
                                    "E-commerce Developer|Shopify Developer",
                                    "Online Store|E-commerce Website|Payment Integration"),
    "devops-cloud": (2, "Setup", "DevOps Engineer|System Administrator|Cloud Engineer",
                     "Server|Deployment Aplikasi|Pipeline CI/CD|Migrasi Server ke Cloud",
                     "DevOps Engineer|Cloud Engineer|Sysadmin", "Server Setup|CI/CD Pipeline|Cloud Migration"),
    "qa-software-testing": (1, "Pengujian", "QA Tester|QA Engineer|Software Tester",
                            "Aplikasi Mobile|Aplikasi Web|API", "QA Tester|QA Engineer",
                            "Mobile App Testing|Web App Testing|API Testing"),
    "chatbot-automation": (2, "Pembuatan", "Developer Chatbot|Programmer Otomasi",
                           "Chatbot WhatsApp|Bot Telegram|Otomasi Laporan|Otomasi Google Sheets",
                           "Chatbot Developer|Automation Developer",
                           "WhatsApp Chatbot|Telegram Bot|Report Automation"),
    # Penulisan & Penerjemahan
    "translation-indonesian-english": (4, "Penerjemahan",
                                       "Penerjemah Inggris\N{EN DASH}Indonesia|Penerjemah Bahasa Inggris|Translator",
                                       "Dokumen Legal|Jurnal Ilmiah|Konten Website|Manual Produk|Kontrak Bisnis",
                                       "English\N{EN DASH}Indonesian Translator|Translator",
                                       "Legal Documents|Academic Papers|Website Content|Product Manuals"),
    "translation-regional-languages": (1, "Penerjemahan",
                                       "Penerjemah Bahasa Jawa|Penerjemah Bahasa Sunda|Penerjemah Bahasa Daerah",
                                       "Naskah Kuno|Konten Video|Materi Sosialisasi",
                                       "Javanese Translator|Sundanese Translator", "Video Content|Outreach Materials"),
    "translation-foreign-languages": (2, "Penerjemahan",
                                      "Penerjemah Bahasa Mandarin|Penerjemah Bahasa Jepang|Penerjemah Bahasa Arab|"
                                      "Penerjemah Bahasa Korea",
                                      "Dokumen Bisnis|Katalog Produk|Manual Mesin|Materi Pelatihan",
                                      "Mandarin Translator|Japanese Translator|Arabic Translator",
                                      "Business Documents|Product Catalogue|Machine Manual"),
    "sworn-translation": (1, "Penerjemahan", "Penerjemah Tersumpah",
                          "Ijazah dan Transkrip|Akta Kelahiran|Dokumen Visa|Akta Pendirian Perusahaan",
                          "Sworn Translator", "Diplomas and Transcripts|Birth Certificate|Visa Documents"),
    "copywriting": (3, "Penulisan", "Copywriter|Penulis Iklan",
                    "Copy Iklan|Caption Instagram|Sales Page|Tagline Brand",
                    "Copywriter", "Ad Copy|Instagram Captions|Sales Page|Brand Tagline"),
    "seo-content-writing": (4, "Penulisan", "Content Writer|Penulis Artikel SEO|Penulis Blog",
                            "Artikel SEO|Artikel Blog|Deskripsi Produk",
                            "Content Writer|SEO Writer", "SEO Articles|Blog Posts|Product Descriptions"),
    "proofreading-editing": (1, "Proofreading", "Editor Naskah|Proofreader",
                             "Naskah Buku|Skripsi|Laporan Tahunan|Artikel Jurnal",
                             "Proofreader|Editor", "Book Manuscript|Thesis|Annual Report"),
    "creative-writing": (2, "Penulisan", "Penulis Naskah|Ghostwriter|Scriptwriter",
                         "Naskah Video YouTube|E-book|Naskah Iklan|Cerita Anak",
                         "Scriptwriter|Ghostwriter", "YouTube Scripts|E-book|Ad Scripts"),
    # Pemasaran Digital
    "social-media-management": (5, "Pengelolaan", "Social Media Admin|Admin Media Sosial|Social Media Specialist",
                                "Instagram|Akun Media Sosial|Instagram dan TikTok|Konten Harian",
                                "Social Media Manager|Social Media Admin",
                                "Instagram Account|Social Media Accounts|Daily Content"),
    "tiktok-instagram-content": (4, "Pembuatan", "Content Creator|Kreator Konten TikTok|Host Live Streaming",
                                 "Konten TikTok|Video Reels|Live Streaming|Konten Affiliate",
                                 "Content Creator|TikTok Creator|Live Streaming Host",
                                 "TikTok Content|Instagram Reels|Live Streaming Sessions"),
    "marketplace-optimization": (3, "Optimasi", "Admin Marketplace|Spesialis Shopee|Marketplace Specialist",
                                 "Toko Shopee|Toko Tokopedia|Toko TikTok Shop|Listing Produk",
                                 "Marketplace Specialist|Shopee Specialist",
                                 "Shopee Store|Tokopedia Store|Product Listings"),
    "seo-sem": (2, "Optimasi", "SEO Specialist|Konsultan SEO", "SEO Website|Peringkat Google|Audit SEO",
                "SEO Specialist|SEO Consultant", "Website SEO|Google Rankings|SEO Audit"),
    "digital-advertising": (3, "Pengelolaan", "Digital Advertiser|Spesialis Meta Ads|Spesialis Google Ads",
                            "Iklan Facebook dan Instagram|Iklan Google|Iklan TikTok|Kampanye Iklan",
                            "Performance Marketer|Meta Ads Specialist|Google Ads Specialist",
                            "Facebook and Instagram Ads|Google Ads Campaign|TikTok Ads"),
    "email-marketing-crm": (1, "Pengelolaan", "Email Marketer|Spesialis CRM",
                            "Email Newsletter|WhatsApp Broadcast|Database Pelanggan",
                            "Email Marketer|CRM Specialist", "Email Newsletter|Customer Database"),
    "influencer-kol-marketing": (2, "Pengelolaan", "KOL Specialist|Influencer Marketing Specialist",
                                 "Kampanye Influencer|Endorsement|Kolaborasi KOL",
                                 "Influencer Marketing Specialist|KOL Specialist",
                                 "Influencer Campaign|KOL Collaboration"),
    # Video & Animasi
    "video-editing": (5, "Edit", "Video Editor|Editor Video YouTube|Editor Video",
                      "Video YouTube|Video Reels|Video Promosi|Video Dokumentasi",
                      "Video Editor|YouTube Video Editor", "YouTube Videos|Short-form Videos|Promo Video"),
    "motion-graphics": (2, "Pembuatan", "Motion Graphic Designer|Animator",
                        "Animasi Logo|Motion Graphic Iklan|Intro YouTube",
                        "Motion Designer|Motion Graphics Artist", "Logo Animation|Ad Motion Graphics|YouTube Intro"),
    "animation-2d": (2, "Pembuatan", "Animator 2D|Animator", "Video Explainer|Animasi Edukasi|Animasi Whiteboard",
                     "2D Animator|Animator", "Explainer Video|Educational Animation"),
    "animation-3d": (1, "Pembuatan", "3D Artist|Animator 3D|3D Modeler",
                     "Render Produk 3D|Animasi 3D|Model 3D Karakter", "3D Artist|3D Animator",
                     "3D Product Render|3D Animation"),
    "subtitling-captioning": (1, "Pembuatan", "Subtitler|Penerjemah Subtitle",
                              "Subtitle Video|Subtitle Film|Teks Video YouTube",
                              "Subtitler|Captioner", "Video Subtitles|Film Subtitles"),
    # Fotografi & Videografi
    "product-photography": (3, "Foto", "Fotografer Produk|Fotografer", "Produk|Katalog Produk|Menu Makanan",
                            "Product Photographer|Food Photographer", "Product Photos|Menu Photos"),
    "event-wedding-photography": (2, "Dokumentasi", "Fotografer Acara|Fotografer Pernikahan|Fotografer",
                                  "Acara Kantor|Pernikahan|Wisuda|Seminar",
                                  "Event Photographer|Wedding Photographer", "Corporate Event|Wedding|Seminar"),
    "portrait-fashion-photography": (1, "Foto", "Fotografer Fashion|Fotografer Potret",
                                     "Katalog Fashion|Lookbook|Foto Profil Karyawan",
                                     "Fashion Photographer|Portrait Photographer",
                                     "Fashion Catalogue|Lookbook|Staff Headshots"),
    "videography": (2, "Produksi", "Videografer|Videografer Acara",
                    "Video Company Profile|Video Acara|Video Drone",
                    "Videographer", "Company Profile Video|Event Video|Drone Footage"),
    # Audio & Musik
    "voice-over": (2, "Rekaman", "Voice Over Talent|Pengisi Suara|Dubber",
                   "Voice Over Iklan|Narasi Video|Dubbing Animasi",
                   "Voice Over Artist|Voice Actor", "Ad Voice Over|Video Narration|Animation Dubbing"),
    "music-production": (1, "Pembuatan", "Produser Musik|Arranger|Komposer",
                         "Jingle Iklan|Aransemen Lagu|Musik Latar",
                         "Music Producer|Composer", "Ad Jingle|Song Arrangement|Background Music"),
    "audio-editing-mixing": (1, "Editing", "Audio Engineer|Editor Audio", "Mixing Lagu|Audio Video|Rekaman Podcast",
                             "Audio Engineer|Audio Editor", "Song Mixing|Video Audio Cleanup"),
    "podcast-production": (1, "Produksi", "Editor Podcast|Produser Podcast", "Podcast|Episode Podcast Mingguan",
                           "Podcast Editor|Podcast Producer", "Podcast|Weekly Podcast Episodes"),
    # Admin & Asisten Virtual
    "data-entry": (4, "Input", "Admin Data Entry|Operator Input Data|Staf Administrasi",
                   "Data Pelanggan|Data Produk|Data Penjualan|Data Inventaris",
                   "Data Entry Clerk|Data Entry Assistant", "Customer Data|Product Data|Sales Records"),
    "virtual-assistant": (3, "Bantuan", "Asisten Virtual|Virtual Assistant|Admin Remote",
                          "Administrasi Harian|Manajemen Email dan Jadwal|Pemesanan Tiket",
                          "Virtual Assistant|Remote Admin Assistant",
                          "Daily Admin Tasks|Email and Calendar Management"),
    "transcription": (2, "Transkripsi", "Transkriptor|Admin Transkrip",
                      "Rekaman Wawancara|Rekaman Rapat|Video Seminar",
                      "Transcriber|Transcriptionist", "Interview Recordings|Meeting Recordings"),
    "online-research": (2, "Riset", "Peneliti Online|Lead Generation Specialist|Asisten Riset",
                        "Data Calon Klien|Daftar Supplier|Kompetitor",
                        "Lead Generation Specialist|Research Assistant", "B2B Leads|Supplier List|Competitor Research"),
    # Layanan Pelanggan
    "chat-customer-support": (3, "Pengelolaan", "Admin Chat|Customer Service Online|Customer Support",
                              "Chat Pelanggan|Layanan WhatsApp|Live Chat Website",
                              "Customer Support Agent|Chat Support Agent",
                              "Customer Chats|WhatsApp Support|Website Live Chat"),
    "telemarketing-call-center": (1, "Layanan", "Telemarketer|Agen Call Center|Desk Collection",
                                  "Penawaran Produk|Penagihan|Survei Pelanggan",
                                  "Telemarketer|Call Centre Agent", "Outbound Sales Calls|Customer Surveys"),
    "online-store-admin": (3, "Pengelolaan", "Admin Toko Online|Admin Olshop|Admin Marketplace",
                           "Pesanan Online|Stok dan Pengiriman|Chat dan Ulasan Pembeli",
                           "Online Store Admin|E-commerce Assistant", "Online Orders|Stock and Shipping"),
    # Data & Analitik
    "data-analysis": (3, "Analisis", "Data Analyst|Analis Data", "Data Penjualan|Data Pelanggan|Laporan Bulanan",
                      "Data Analyst", "Sales Data|Customer Data|Monthly Reports"),
    "data-visualization-bi": (2, "Pembuatan", "BI Analyst|Data Analyst|Spesialis Power BI",
                              "Dashboard Penjualan|Dashboard Power BI|Laporan Looker Studio",
                              "BI Analyst|Power BI Developer", "Sales Dashboard|Power BI Dashboard"),
    "statistics-data-processing": (3, "Olah", "Ahli Statistik|Analis Data Penelitian",
                                   "Data Skripsi|Data Kuesioner|Data Tesis",
                                   "Statistician|Research Data Analyst", "Thesis Data|Survey Data"),
    "machine-learning-ai": (2, "Pengembangan", "Machine Learning Engineer|AI Engineer|Data Scientist",
                            "Model Prediksi|Chatbot AI|Sistem Rekomendasi|Klasifikasi Gambar",
                            "Machine Learning Engineer|Data Scientist|AI Engineer",
                            "Prediction Model|AI Chatbot|Recommendation System"),
    "web-scraping": (2, "Scraping", "Programmer Scraping|Data Engineer",
                     "Data Marketplace|Data Harga Produk|Data Google Maps",
                     "Web Scraping Developer", "Marketplace Data|Product Prices|Google Maps Listings"),
    # Keuangan & Akuntansi
    "bookkeeping": (3, "Pembukuan", "Staf Pembukuan|Bookkeeper|Admin Keuangan",
                    "Transaksi Harian|Keuangan UMKM|Rekonsiliasi Bank",
                    "Bookkeeper|Accounting Assistant", "Daily Transactions|Small Business Books"),
    "taxation": (3, "Pelaporan", "Konsultan Pajak|Staf Pajak|Tax Officer",
                 "SPT Tahunan|PPN dan e-Faktur|PPh 21 Karyawan",
                 "Tax Consultant|Tax Officer", "Annual Tax Return|VAT Reporting|Payroll Tax"),
    "financial-statements": (2, "Penyusunan", "Akuntan|Staf Akuntansi",
                             "Laporan Keuangan|Laporan Keuangan SAK EMKM|Audit Internal",
                             "Accountant", "Financial Statements|Internal Audit"),
    "financial-analysis-planning": (1, "Penyusunan", "Analis Keuangan|Financial Analyst|Konsultan Keuangan",
                                    "Proyeksi Arus Kas|Studi Kelayakan|Anggaran Tahunan|Model Keuangan",
                                    "Financial Analyst|Financial Modeller",
                                    "Cash Flow Projection|Feasibility Study|Financial Model"),
    "payroll": (1, "Pengelolaan", "Staf Payroll|Admin HR dan Payroll", "Penggajian Karyawan|Administrasi BPJS",
                "Payroll Officer|Payroll Specialist", "Employee Payroll|BPJS Administration"),
    # Hukum & Legalitas
    "contract-drafting": (2, "Penyusunan", "Konsultan Hukum|Legal Drafter|Advokat",
                          "Perjanjian Kerja Sama|Kontrak Kerja|Syarat dan Ketentuan Aplikasi",
                          "Contract Lawyer|Legal Drafter",
                          "Partnership Agreement|Employment Contracts|Terms of Service"),
    "business-licensing": (2, "Pengurusan", "Konsultan Perizinan|Konsultan Legalitas",
                           "Pendirian PT|NIB dan OSS|Sertifikasi Halal|Izin PIRT",
                           "Licensing Consultant", "Company Incorporation|Business Licence|Halal Certification"),
    "intellectual-property": (1, "Pendaftaran", "Konsultan HAKI|Konsultan Merek", "Merek Dagang|Hak Cipta|Paten",
                              "IP Consultant|Trademark Agent", "Trademark|Copyright Registration"),
    "legal-consultation": (1, "Konsultasi", "Konsultan Hukum|Advokat|Lawyer",
                           "Hukum Ketenagakerjaan|Hukum Korporasi|Pelindungan Data Pribadi",
                           "Legal Consultant|Lawyer", "Employment Law|Corporate Law|Data Protection Compliance"),
    # Teknik & Arsitektur
    "architectural-design": (2, "Desain", "Arsitek|Drafter Arsitektur", "Rumah Tinggal|Ruko|Gambar PBG|Rumah Minimalis",
                             "Architect|Architectural Drafter",
                             "House Design|Shophouse Design|Building Permit Drawings"),
    "interior-design": (2, "Desain", "Desainer Interior|Interior Designer",
                        "Interior Kafe|Interior Rumah|Interior Kantor|Render 3D Interior",
                        "Interior Designer", "Cafe Interior|Home Interior|Office Interior"),
    "civil-structural-engineering": (1, "Perhitungan", "Insinyur Sipil|Engineer Struktur",
                                     "Struktur Bangunan|Struktur Gudang|Analisis ETABS",
                                     "Structural Engineer|Civil Engineer",
                                     "Structural Calculations|Warehouse Structure"),
    "cad-drafting": (2, "Pembuatan", "Drafter|Drafter AutoCAD", "Gambar Kerja|Shop Drawing|Digitasi Gambar",
                     "CAD Drafter|AutoCAD Drafter", "Working Drawings|Shop Drawings"),
    "quantity-surveying": (1, "Penyusunan", "Quantity Surveyor|Estimator",
                           "RAB Proyek|Bill of Quantity|RAB Renovasi Rumah",
                           "Quantity Surveyor|Cost Estimator", "Project Cost Estimate|Bill of Quantities"),
    "mechanical-electrical": (1, "Desain", "Engineer Elektro|Engineer Mesin|Programmer IoT",
                              "Perangkat IoT|Desain PCB|Instalasi MEP|Desain Mesin",
                              "Electrical Engineer|Mechanical Engineer|IoT Engineer",
                              "IoT Device|PCB Layout|MEP Design"),
    "gis-mapping": (1, "Pemetaan", "GIS Analyst|Ahli Pemetaan", "Peta Wilayah|Peta Lahan|Data Spasial",
                    "GIS Analyst|GIS Specialist", "Area Maps|Land Mapping|Spatial Data"),
    # Pendidikan & Les Privat
    "language-tutoring": (3, "Les", "Tutor Bahasa Inggris|Guru Les Bahasa|Pengajar IELTS",
                          "Bahasa Inggris|Persiapan IELTS|Persiapan TOEFL|Bahasa Mandarin",
                          "English Tutor|Language Tutor|IELTS Tutor",
                          "English Lessons|IELTS Preparation|TOEFL Preparation"),
    "academic-tutoring": (2, "Les", "Guru Les Privat|Tutor Matematika|Pengajar",
                          "Matematika SMA|Fisika SMA|Persiapan UTBK|Kimia SMP",
                          "Private Tutor|Maths Tutor", "High School Maths|UTBK Preparation"),
    "quran-religious-tutoring": (1, "Les", "Guru Mengaji|Ustadz|Ustadzah",
                                 "Mengaji Anak|Tahsin Al-Qur'an|Tahfidz",
                                 "Quran Teacher", "Quran Reading Lessons|Tajwid Lessons"),
    "course-creation": (1, "Pembuatan", "Instructional Designer|Penyusun Materi",
                        "Modul Ajar|Kursus Online|Materi Pelatihan Karyawan",
                        "Instructional Designer|Course Creator", "Online Course|Training Materials"),
    "coding-it-tutoring": (1, "Les", "Mentor Coding|Tutor Komputer",
                           "Coding Anak|Pemrograman Python|Microsoft Office",
                           "Coding Mentor|Programming Tutor", "Kids Coding Lessons|Python Mentoring"),
    # Bisnis & Manajemen
    "business-plan": (2, "Penyusunan", "Konsultan Bisnis|Business Analyst",
                      "Business Plan|Proposal Investasi|Proposal Pendanaan",
                      "Business Consultant|Business Plan Writer", "Business Plan|Investor Proposal"),
    "hr-recruitment": (2, "Pengelolaan", "Recruiter|Konsultan HR|HR Generalist",
                       "Rekrutmen Karyawan|SOP Perusahaan|Job Description|Peraturan Perusahaan",
                       "Recruiter|HR Consultant", "Staff Recruitment|Company SOPs|Job Descriptions"),
    "project-management": (1, "Manajemen", "Project Manager|Scrum Master|Project Coordinator",
                           "Proyek Aplikasi|Proyek Website|Proyek Renovasi",
                           "Project Manager|Scrum Master", "App Project|Website Project"),
    "market-research": (1, "Riset", "Market Researcher|Analis Riset Pasar|Surveyor",
                        "Riset Pasar|Survei Konsumen|Analisis Kompetitor",
                        "Market Researcher", "Market Research|Consumer Survey|Competitor Analysis"),
}

# Budget tiers by top-level category: (fixed low, fixed high, hourly low, hourly high), integer rupiah.
BUDGET_TIERS = {
    1: (500_000, 6_000_000, 50_000, 150_000),
    2: (750_000, 20_000_000, 75_000, 300_000),
    3: (1_500_000, 50_000_000, 125_000, 500_000),
}
PARENT_TIER = {
    "admin-virtual-assistant": 1, "customer-service": 1, "education-tutoring": 1,
    "programming-tech": 3, "data-analytics": 3, "legal": 3, "engineering-architecture": 3,
    "business-management": 3,
}  # every other top-level category: tier 2
FIXED_MIN, FIXED_MAX, FIXED_STEP = 500_000, 50_000_000, 50_000
HOURLY_MIN, HOURLY_MAX, HOURLY_STEP = 50_000, 500_000, 5_000

STATUS_WEIGHTS = (
    (Job.Status.OPEN, 75), (Job.Status.CLOSED, 7), (Job.Status.IN_PROGRESS, 6), (Job.Status.COMPLETED, 7),
    (Job.Status.DRAFT, 4), (Job.Status.CANCELLED, 1),
)
LOCATION_WEIGHTS = ((Job.LocationType.REMOTE, 76), (Job.LocationType.HYBRID, 13), (Job.LocationType.ONSITE, 11))
LEVEL_WEIGHTS = ((Job.ExperienceLevel.ENTRY, 30), (Job.ExperienceLevel.INTERMEDIATE, 50),
                 (Job.ExperienceLevel.EXPERT, 20))
ENGLISH_SHARE = 0.2
REMOVED_SHARE = 0.003
HISTORY_DAYS = 180

REMOVED_REASONS = ("Duplikat lowongan lain.", "Meminta pembayaran di luar platform.",
                   "Konten tidak sesuai ketentuan.", "Lowongan palsu / spam.")

TITLE_ID = (
    "{role} untuk {thing} {biz}",
    "{verb} {thing} {biz}",
    "{verb} {thing}",
    "{role} {skill} untuk {biz}",
    "Dicari {role} untuk {biz} {where}",
    "Butuh {role}: {verb} {thing}",
    "{role} \N{EN DASH} {verb} {thing} ({term})",
    "Freelance {role} {skill}",
    "{verb} {thing} untuk {biz}",
)
TITLE_EN = (
    "{role} for {a_biz}",
    "{skill} {role} Needed",
    "{thing} for {a_biz}",
    "Looking for {a_role} ({skill})",
    "{role} \N{EN DASH} {thing} ({term})",
    "Remote {role}: {thing}",
)
TERMS_ID = ("Proyek Sekali", "Kontrak 1 Bulan", "Kontrak 3 Bulan", "Jangka Panjang", "Part Time", "Urgent")
TERMS_EN = ("One-off Project", "1-Month Contract", "3-Month Contract", "Long Term", "Part Time", "Urgent")

INTRO_ID = (
    "Kami adalah {biz} di {city} yang sedang berkembang dan ingin memperkuat kehadiran digital.",
    "{company} adalah {biz} yang berbasis di {city} dan sudah melayani pelanggan sejak beberapa tahun terakhir.",
    "Halo, kami dari {company}, sebuah {biz} di {city}.",
    "Saat ini {company} sedang menyiapkan peluncuran produk baru dan membutuhkan bantuan tenaga profesional.",
    "Bisnis kami ({biz}) sedang ramai pesanan, jadi kami perlu tambahan tim untuk beberapa pekerjaan.",
)
NEED_ID = (
    "Kami membutuhkan {role} untuk {verb_l} {thing} dengan hasil yang rapi, konsisten dan sesuai identitas {biz}.",
    "Kami mencari {role} berpengalaman yang bisa membantu {verb_l} {thing} dari tahap konsep sampai file final.",
    "Dibutuhkan {role} untuk mengerjakan {thing}: mulai dari memahami brief, menyusun draf, hingga revisi akhir.",
    "Pekerjaan utamanya adalah {verb_l} {thing} untuk kebutuhan {category} kami, termasuk dokumentasi singkat.",
)
REQ_ID = (
    "Diutamakan yang menguasai {skills} dan terbiasa bekerja dengan tenggat waktu.",
    "Pengalaman minimal {years} tahun di bidang {category} dan memiliki portofolio yang bisa ditunjukkan.",
    "Wajib melampirkan portofolio atau contoh pekerjaan sebelumnya saat mengirim proposal.",
    "Kandidat harus komunikatif, teliti, dan bisa menerima masukan dengan baik.",
    "Nilai plus jika pernah menangani klien di industri serupa atau paham pasar {province}.",
)
LOGISTICS_ID = (
    "Proyek diperkirakan selesai dalam {weeks} minggu dengan maksimal {revisions} kali revisi.",
    "Koordinasi dilakukan melalui WhatsApp dan Google Meet, dengan laporan progres setiap minggu.",
    "Pekerjaan bisa dilakukan secara remote dari mana saja selama responsif di jam kerja (WIB).",
    "Budget dapat dinegosiasikan sesuai pengalaman dan kualitas portofolio.",
    "Jika hasil kerja memuaskan, ada peluang kerja sama jangka panjang untuk proyek berikutnya.",
    "Pembayaran dilakukan per milestone melalui escrow Bantu setelah hasil disetujui.",
)
INTRO_EN = (
    "We are {a_biz} based in {city}, growing fast and investing in our online presence.",
    "{company} is {a_biz} in {city} serving customers across Indonesia.",
    "Hi! We're {company}, {a_biz} from {city}.",
    "{company} is preparing a new product launch and needs an experienced professional to help.",
)
NEED_EN = (
    "We need {a_role} to deliver {thing_l} that is clean, consistent and fits our brand.",
    "We are looking for an experienced {role_l} who can take {thing_l} from first draft to final files.",
    "The work covers {thing_l}: understanding the brief, drafting, and a final round of revisions.",
    "Your main task is {thing_l} for our {category_l} needs, with short handover notes.",
)
REQ_EN = (
    "Experience with {skills} is preferred, as is a track record of meeting deadlines.",
    "At least {years} years of experience in {category_l} and a portfolio we can review.",
    "Please attach a portfolio or samples of previous work with your proposal.",
    "Clear communication in English or Bahasa Indonesia is a must.",
)
LOGISTICS_EN = (
    "We expect the project to take about {weeks} weeks, with up to {revisions} rounds of revisions.",
    "We coordinate over WhatsApp and Google Meet, with a short progress update every week.",
    "Fully remote; please be responsive during Jakarta business hours (UTC+7).",
    "The budget is negotiable depending on your experience and portfolio.",
    "Good work leads to a long-term collaboration on our next projects.",
    "Payment is per milestone through Bantu escrow once the work is approved.",
)

COMPANY_PREFIXES = ("PT", "PT", "PT", "CV", "CV", "UD", "Toko", "")
COMPANY_WORDS = ("Nusantara", "Maju", "Jaya", "Sejahtera", "Makmur", "Abadi", "Kreasi", "Digital", "Mandiri",
                 "Sentosa", "Berkah", "Cahaya", "Karya", "Inovasi", "Teknologi", "Solusi", "Mitra", "Global",
                 "Indo", "Sinar", "Bumi", "Lestari", "Gemilang", "Prima", "Utama", "Semesta", "Rasa", "Kopi",
                 "Anak Bangsa", "Harapan", "Bersama", "Sukses", "Mulia", "Citra", "Mega", "Tunas", "Garuda")
INDUSTRIES = ("Teknologi", "F&B", "Fashion", "Pendidikan", "Kesehatan", "Properti", "Keuangan", "Logistik",
              "Retail", "Manufaktur", "Pariwisata", "Media", "Agrikultur", "Kecantikan", "Jasa Profesional")
FIRST_NAMES = ("Budi", "Siti", "Agus", "Dewi", "Andi", "Rina", "Eko", "Sri", "Wahyu", "Putri", "Rizky", "Ayu",
               "Fajar", "Nur", "Dimas", "Indah", "Hendra", "Lestari", "Yusuf", "Maya", "Bayu", "Fitri", "Arif",
               "Ratna", "Teguh", "Anisa", "Joko", "Wulan", "Dedi", "Kartika", "Made", "Ketut", "Michael", "Grace")
LAST_NAMES = ("Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kurniawan", "Rahmawati", "Setiawan",
              "Nugroho", "Siregar", "Harahap", "Simanjuntak", "Lubis", "Gunawan", "Susanto", "Wibowo", "Halim",
              "Tanjung", "Hakim", "Purnomo", "Sihombing", "Putra", "Maharani", "Sulistyo", "Tanoto", "Pangaribuan")


# ---------------------------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------------------------

# The columns of jobs_job that a seeded row fills, in COPY order (search_vector is the trigger's).
JOB_COLUMNS = (
    "id", "created_at", "updated_at", "company_id", "posted_by_id", "title", "description", "category_id",
    "skills_text", "job_type", "budget_min", "budget_max", "currency", "location_type", "province", "city",
    "experience_level", "deadline", "status", "published_at", "removed_at", "removed_reason", "removed_by_id",
)
TITLE_MAX = 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 200, 900


@dataclass(frozen=True)
class CategoryText:
    id: int
    slug: str
    name: str
    name_en: str
    weight: int
    tier: int
    verb: str
    roles: tuple[str, ...]
    things: tuple[str, ...]
    roles_en: tuple[str, ...]
    things_en: tuple[str, ...]
    skills: tuple[tuple[int, str], ...]  # (id, name)


@dataclass(frozen=True)
class CompanyRef:
    id: object
    owner_id: object
    name: str
    province: str
    city: str


@dataclass
class SeedStats:
    jobs: int = 0
    skills: int = 0
    companies: int = 0
    seconds: float = 0.0
    status_counts: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds if self.seconds else 0.0


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split("|") if part)


def _an(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def load_categories() -> list[CategoryText]:
    """Child categories with their texts and skills, in a stable order (so a seed means the same data)."""
    skills_by_category: dict[int, list[tuple[int, str]]] = {}
    all_skills = list(Skill.objects.order_by("id").values_list("id", "name", "category_id"))
    for skill_id, name, category_id in all_skills:
        skills_by_category.setdefault(category_id, []).append((skill_id, name))
    fallback = tuple((skill_id, name) for skill_id, name, _ in all_skills)
    categories = []
    for category in Category.objects.filter(parent__isnull=False).select_related("parent").order_by("slug"):
        text = CATEGORY_TEXT.get(category.slug)
        if text is None:
            text = (1, "Pengerjaan", category.name, category.name, category.name_en, category.name_en)
        weight, verb, roles, things, roles_en, things_en = text
        skills = tuple(skills_by_category.get(category.id, ())) or fallback
        if not skills:
            continue
        categories.append(CategoryText(
            id=category.id, slug=category.slug, name=category.name, name_en=category.name_en, weight=weight,
            tier=PARENT_TIER.get(category.parent.slug, 2), verb=verb, roles=_split(roles), things=_split(things),
            roles_en=_split(roles_en), things_en=_split(things_en), skills=skills,
        ))
    return categories


def _weighted(pairs) -> tuple[list, list[float]]:
    values = [value for value, _ in pairs]
    cumulative, total = [], 0.0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


def _pick_province(rng: random.Random, provinces, cum) -> tuple[str, str]:
    province = rng.choices(provinces, cum_weights=cum)[0]
    return province, rng.choice(PROVINCE_CITIES.get(province, ("",)))


def make_companies(rng: random.Random, count: int, tag: str) -> tuple[list[User], list[Company], list[Membership]]:
    """`count` companies, each with an owner (an unusable password: nobody signs in as them). Unsaved."""
    provinces, cum = _weighted([(name, PROVINCE_WEIGHTS.get(name, 1)) for name in PROVINCES])
    users, companies, memberships = [], [], []
    now = timezone.now()
    sizes = [size for size, _ in Company.Size.choices]
    for index in range(count):
        prefix = rng.choice(COMPANY_PREFIXES)
        words = rng.sample(COMPANY_WORDS, rng.choice((1, 2, 2, 3)))
        name = " ".join(part for part in (prefix, *words) if part)
        province, city = _pick_province(rng, provinces, cum)
        full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        user = User(id=uuid7(), email=f"seed-{tag}-{index}@example.id", full_name=full_name, date_joined=now)
        user.password = make_password(None)  # what set_unusable_password() does, without a save
        verified = rng.random() < 0.3
        company = Company(
            id=uuid7(), name=name, slug=f"{slugify(name)[:180]}-{tag}-{index}",
            description=f"{name} adalah perusahaan {rng.choice(INDUSTRIES).lower()} di {city}, {province}.",
            website=f"https://{slugify(name)[:60] or 'usaha'}-{index}.example.id" if rng.random() < 0.6 else "",
            industry=rng.choice(INDUSTRIES), size=rng.choice(sizes), city=city, province=province,
            verified=verified, verified_at=now if verified else None,
        )
        users.append(user)
        companies.append(company)
        memberships.append(Membership(id=uuid7(), company=company, user=user, role=Membership.Role.OWNER))
    return users, companies, memberships


class JobGenerator:
    """Yields (row, skill_ids): `row` in JOB_COLUMNS order, oldest job first."""

    def __init__(self, *, rng: random.Random, categories: list[CategoryText], companies: list[CompanyRef],
                 count: int, now: datetime):
        if not categories:
            raise ValueError("No categories with skills: migrate first (the taxonomy is seeded by a migration).")
        if not companies:
            raise ValueError("At least one company is needed.")
        self.rng = rng
        self.categories = categories
        self.category_cum = _weighted([(category, category.weight) for category in categories])[1]
        self.companies = companies
        self.count = count
        self.now = now
        self.provinces, self.province_cum = _weighted([(name, PROVINCE_WEIGHTS.get(name, 1)) for name in PROVINCES])
        self.statuses, self.status_cum = _weighted(STATUS_WEIGHTS)
        self.locations, self.location_cum = _weighted(LOCATION_WEIGHTS)
        self.levels, self.level_cum = _weighted(LEVEL_WEIGHTS)

    def __iter__(self) -> Iterator[tuple[tuple, list[int]]]:
        rng = self.rng
        # Sorted uniform draws, largest first, in O(1) memory: u_n = u_{n+1} * U^(1/n). The largest offset is
        # the oldest job, so jobs come out oldest first and uuid7() ids follow published_at.
        span = timedelta(days=HISTORY_DAYS).total_seconds()
        offset = 1.0
        for remaining in range(self.count, 0, -1):
            offset *= (1.0 - rng.random()) ** (1.0 / remaining)
            # Skew towards recent days (a growing marketplace); monotonic, so the order holds.
            yield self._job(offset**1.3 * span)

    def _job(self, age_seconds: float) -> tuple[tuple, list[int]]:
        rng = self.rng
        category = rng.choices(self.categories, cum_weights=self.category_cum)[0]
        # A few companies post most jobs.
        company = self.companies[int(len(self.companies) * rng.random() ** 2)]
        picked = rng.sample(category.skills, min(len(category.skills), rng.choice((1, 2, 2, 3, 3, 4))))
        skill_names = [name for _, name in picked]
        status = rng.choices(self.statuses, cum_weights=self.status_cum)[0]
        location_type = rng.choices(self.locations, cum_weights=self.location_cum)[0]
        if location_type != Job.LocationType.REMOTE or rng.random() < 0.6:
            if rng.random() < 0.7:
                province, city = company.province, company.city
            else:
                province, city = _pick_province(rng, self.provinces, self.province_cum)
        else:
            province, city = "", ""
        job_type = Job.JobType.HOURLY if rng.random() < 0.3 else Job.JobType.FIXED
        budget_min, budget_max = self._budget(category.tier, job_type)
        english = rng.random() < ENGLISH_SHARE
        title, description = self._text(category, company, skills=skill_names, province=province, city=city,
                                        english=english)

        moment = self.now - timedelta(seconds=age_seconds)
        created_at = moment - timedelta(seconds=rng.random() * 2 * 86_400)
        published_at = None if status == Job.Status.DRAFT else moment
        updated_at = moment if status in (Job.Status.OPEN, Job.Status.DRAFT) else min(
            self.now, moment + timedelta(days=rng.random() * 30))
        deadline = (moment + timedelta(days=rng.randint(7, 90))).date() if rng.random() < 0.5 else None
        removed = rng.random() < REMOVED_SHARE and status != Job.Status.DRAFT
        row = (
            uuid7(), created_at, updated_at, company.id, company.owner_id, title, description, category.id,
            " ".join(skill_names), job_type.value, budget_min, budget_max, "IDR", location_type.value, province, city,
            rng.choices(self.levels, cum_weights=self.level_cum)[0].value, deadline, status.value, published_at,
            updated_at if removed else None, rng.choice(REMOVED_REASONS) if removed else "", None,
        )
        return row, [skill_id for skill_id, _ in picked]

    def _budget(self, tier: int, job_type: str) -> tuple[int, int]:
        rng = self.rng
        fixed_low, fixed_high, hourly_low, hourly_high = BUDGET_TIERS[tier]
        if job_type == Job.JobType.HOURLY:
            high = _round(rng.uniform(hourly_low, hourly_high), HOURLY_STEP, HOURLY_MIN, HOURLY_MAX)
            low = _round(high * rng.uniform(0.6, 1.0), HOURLY_STEP, HOURLY_MIN, high)
            return low, high
        high = _round(math.exp(rng.uniform(math.log(fixed_low), math.log(fixed_high))), FIXED_STEP, FIXED_MIN,
                      FIXED_MAX)
        if rng.random() < 0.35:
            return high, high
        return _round(high * rng.uniform(0.4, 0.9), FIXED_STEP, FIXED_MIN, high), high

    def _text(self, category: CategoryText, company: CompanyRef, *, skills: list[str], province: str, city: str,
              english: bool) -> tuple[str, str]:
        rng = self.rng
        biz_id, biz_en = rng.choice(BUSINESSES)
        where_city = city or rng.choice(("Jakarta", "Bandung", "Surabaya", "Yogyakarta", "Denpasar", "Medan"))
        values = {
            "skill": skills[0], "skills": ", ".join(skills), "company": company.name, "city": where_city,
            "province": province or "Indonesia", "years": rng.randint(1, 5), "weeks": rng.randint(1, 12),
            "revisions": rng.randint(2, 5),
        }
        if english:
            role, thing = rng.choice(category.roles_en), rng.choice(category.things_en)
            values.update(role=role, role_l=role.lower(), a_role=_an(role), thing=thing, thing_l=thing.lower(),
                          biz=biz_en, a_biz=_an(biz_en.lower()), category_l=category.name_en.lower(),
                          term=rng.choice(TERMS_EN))
            title = rng.choice(TITLE_EN).format(**values)
            pools = (INTRO_EN, NEED_EN, REQ_EN, LOGISTICS_EN)
        else:
            values.update(role=rng.choice(category.roles), thing=rng.choice(category.things), biz=biz_id,
                          verb=category.verb, verb_l=category.verb.lower(), category=category.name.lower(),
                          where=f"di {city}" if city else "(Remote)", term=rng.choice(TERMS_ID))
            title = rng.choice(TITLE_ID).format(**values)
            pools = (INTRO_ID, NEED_ID, REQ_ID, LOGISTICS_ID)
        return title[:TITLE_MAX], self._description(pools, values)

    def _description(self, pools, values: dict) -> str:
        rng = self.rng
        intro, need, requirements, logistics = pools
        wanted = rng.randint(2, 5)
        sentences = [rng.choice(need).format(**values)]
        if rng.random() < 0.6:
            sentences.insert(0, rng.choice(intro).format(**values))
        extra = rng.sample(requirements, 2) + rng.sample(logistics, 3)
        rng.shuffle(extra)
        while extra and (len(sentences) < wanted or len(" ".join(sentences)) < DESCRIPTION_MIN):
            sentences.append(extra.pop().format(**values))
        while len(" ".join(sentences)) > DESCRIPTION_MAX and len(sentences) > 2:
            sentences.pop()
        return " ".join(sentences)[:DESCRIPTION_MAX]


def _round(value: float, step: int, low: int, high: int) -> int:
    return max(low, min(high, round(value / step) * step))


# ---------------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------------

def create_companies(rng: random.Random, count: int) -> list[CompanyRef]:
    tag = uuid7().hex[-8:]  # keeps slugs and emails unique when the command runs again with the same seed
    users, companies, memberships = make_companies(rng, count, tag)
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=1000)
        Company.objects.bulk_create(companies, batch_size=1000)
        Membership.objects.bulk_create(memberships, batch_size=1000)
    return [CompanyRef(id=company.id, owner_id=user.id, name=company.name, province=company.province,
                       city=company.city) for company, user in zip(companies, users, strict=True)]


def _batches(generator: JobGenerator, size: int, stats: SeedStats) -> Iterator[tuple[list[tuple], list[tuple]]]:
    status_index = JOB_COLUMNS.index("status")
    rows: list[tuple] = []
    links: list[tuple] = []
    for row, skill_ids in generator:
        rows.append(row)
        links.extend((row[0], skill_id) for skill_id in skill_ids)
        stats.status_counts[row[status_index]] = stats.status_counts.get(row[status_index], 0) + 1
        if len(rows) >= size:
            yield rows, links
            rows, links = [], []
    if rows:
        yield rows, links


def _copy_batch(rows: list[tuple], links: list[tuple]) -> None:
    """One transaction on this thread's connection: COPY the jobs (the trigger fills search_vector), then their
    skills (the foreign keys are deferred to the commit)."""
    with transaction.atomic():
        # A bulk load: losing the last batches on a server crash is fine, waiting for each flush is not.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        raw = connection.connection  # the psycopg 3 connection, inside Django's transaction
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY jobs_job ({', '.join(JOB_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy("COPY jobs_job_skills (job_id, skill_id) FROM STDIN") as copy:
                for link in links:
                    copy.write_row(link)


def _copy_batch_in_thread(rows: list[tuple], links: list[tuple]) -> tuple[int, int]:
    try:
        _copy_batch(rows, links)
    finally:
        connection.close()  # this worker thread's own connection
    return len(rows), len(links)


def _create_batch(rows: list[tuple], links: list[tuple]) -> None:
    with transaction.atomic():
        Job.objects.bulk_create([Job(**dict(zip(JOB_COLUMNS, row, strict=True))) for row in rows])
        Job.skills.through.objects.bulk_create(
            [Job.skills.through(job_id=job_id, skill_id=skill_id) for job_id, skill_id in links])


def _clean_gin_pending_lists() -> None:
    """Merge what the load left in the GIN indexes' pending lists (autovacuum would, later): until then every
    full-text search scans them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
                       "JOIN pg_am ON pg_am.oid = pg_class.relam WHERE indrelid = 'jobs_job'::regclass "
                       "AND amname = 'gin'")
        for (name,) in cursor.fetchall():
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])


def seed_jobs(*, count: int, companies: int, seed: int, batch: int, writers: int = 2,
              progress: Callable[[SeedStats, int], None] | None = None) -> SeedStats:
    """Create `companies` companies and `count` jobs. Returns what was written and how fast.

    On PostgreSQL, `writers` threads COPY batches in parallel on their own connections while this thread
    generates the next ones (generation stays sequential, so the data does not depend on `writers`). Inside an
    open transaction (tests) everything runs on the caller's connection.
    """
    rng = random.Random(seed)  # noqa: S311  (test data: reproducible, not secret)
    started = time.perf_counter()
    categories = load_categories()
    refs = create_companies(rng, companies)
    stats = SeedStats(companies=len(refs))
    postgres = connection.vendor == "postgresql"
    generator = JobGenerator(rng=rng, categories=categories, companies=refs, count=count, now=timezone.now())

    def done(jobs: int, skills: int) -> None:
        stats.jobs += jobs
        stats.skills += skills
        stats.seconds = time.perf_counter() - started
        if progress is not None:
            progress(stats, count)

    if postgres and writers > 1 and not connection.in_atomic_block:
        pending: deque[Future] = deque()
        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="seed-copy") as pool:
            for rows, links in _batches(generator, batch, stats):
                pending.append(pool.submit(_copy_batch_in_thread, rows, links))
                while len(pending) > writers:  # bounded memory: at most one batch waiting per writer
                    done(*pending.popleft().result())
            while pending:
                done(*pending.popleft().result())
    else:
        write = _copy_batch if postgres else _create_batch
        for rows, links in _batches(generator, batch, stats):
            write(rows, links)
            done(len(rows), len(links))
    if postgres:
        _clean_gin_pending_lists()
        with connection.cursor() as cursor:
            # Fresh statistics for every table written: a planner that still thinks there are 50 companies picks
            # nested loops that cost seconds.
            for table in ("accounts_user", "companies_company", "companies_membership", "jobs_job",
                          "jobs_job_skills"):
                cursor.execute(f"ANALYZE {table}")
    stats.seconds = time.perf_counter() - started
    return stats
