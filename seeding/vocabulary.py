"""The words and numbers the generated data is made of: places, clients, per-category job texts, budget tiers,
how statuses, locations and levels are spread, company and people names; and the demo's fixed cast.

Data only (no code that writes): `seeding.generator` draws from it, `seeding.writers` stores what it drew. Change a
list and the same seed yields different data; benchmark results then compare only with runs on the new data.
"""

from companies.models import Company
from jobs.models import Job

# ---------------------------------------------------------------------------------------------------------------
# Places
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

# ---------------------------------------------------------------------------------------------------------------
# Clients and job texts
# ---------------------------------------------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------------------------------------------
# How jobs are spread: budgets, statuses, places, levels
# ---------------------------------------------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------------------------------------------
# Titles and descriptions: {placeholders} filled by seeding.generator.JobGenerator
# ---------------------------------------------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------------------------------------------
# Companies and the people who own them
# ---------------------------------------------------------------------------------------------------------------

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
# The demo (`manage.py seed_demo`): fixed people, one company, its jobs; written by seeding.writers.demo_seed
# ---------------------------------------------------------------------------------------------------------------

DEMO_PASSWORD = "BantuDemo!2026"
DEMO_ADMIN = ("admin@bantu.local", "Operator Bantu")
DEMO_OPERATORS = [("support@bantu.local", "Operator Support", "support"),
                  ("moderator@bantu.local", "Operator Moderator", "moderator"),
                  ("finance@bantu.local", "Operator Finance", "finance")]
DEMO_OWNER = ("owner@demo.bantu.id", "Sari Wijaya")
DEMO_RECRUITER = ("recruiter@demo.bantu.id", "Budi Santoso")
DEMO_COMPANY = {"name": "Nusantara Digital", "industry": "E-commerce", "size": Company.Size.SMALL,
                "city": "Jakarta Selatan", "province": "DKI Jakarta", "website": "https://nusantara-digital.example",
                "description": "Toko online produk UMKM dari seluruh Indonesia."}
# (email, name, headline, hourly rate in IDR, city, province, skill slugs)
DEMO_FREELANCERS = [
    ("freelancer@demo.bantu.id", "Dewi Lestari", "Desainer Grafis & UI/UX", 150_000, "Bandung", "Jawa Barat",
     ["figma", "adobe-illustrator", "adobe-photoshop"]),
    ("dev@demo.bantu.id", "Rizky Pratama", "Full-stack Developer (Django, React)", 250_000, "Yogyakarta",
     "DI Yogyakarta", ["django", "react", "postgresql"]),
]
# (title, category slug, skill slugs, budget min, budget max in IDR, description); the first one gets the contract.
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
DEMO_PROPOSAL = {"amount": 2_500_000, "duration_days": 14,
                 "cover_letter": "Saya sudah membuat lebih dari 40 logo untuk kedai kopi di Bandung dan Jakarta. "
                                 "Portofolio terlampir."}
DEMO_MILESTONES = [{"title": "Konsep logo dan palet warna", "amount": 1_000_000},
                   {"title": "Logo final dan panduan merek", "amount": 1_500_000}]
