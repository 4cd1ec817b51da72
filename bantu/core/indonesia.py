"""Indonesian administrative geography used by profiles, companies and jobs, and the marketplace's calendar."""

import datetime
import zoneinfo

from django.utils import timezone

# Calendar rules (a deadline or due date not in the past) follow western Indonesian time (WIB, UTC+7), where most
# of the market is; times themselves are stored and spoken in UTC.
MARKET_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Jakarta")


def today() -> datetime.date:
    """Today's date in western Indonesian time (WIB)."""
    return timezone.localdate(timezone=MARKET_TIME_ZONE)


# The 38 provinces (2022 onwards), as Indonesians write them.
PROVINCES = (
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Kepulauan Riau", "Jambi", "Sumatera Selatan",
    "Kepulauan Bangka Belitung", "Bengkulu", "Lampung", "DKI Jakarta", "Jawa Barat", "Banten", "Jawa Tengah",
    "DI Yogyakarta", "Jawa Timur", "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat",
    "Kalimantan Tengah", "Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara",
    "Gorontalo", "Sulawesi Tengah", "Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara", "Maluku",
    "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya", "Papua Selatan", "Papua Tengah",
    "Papua Pegunungan",
)
PROVINCE_CHOICES = [(name, name) for name in PROVINCES]
