"""Integer-rupiah arithmetic shared by the apps that price things (PRODUCT.md §2.6: IDR, integer rupiah)."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BASIS_POINTS = 10_000  # 100%


def platform_fee_bps() -> int:
    """PLATFORM_FEE_PERCENT (e.g. "10" or "7.5") as basis points (1000, 750).

    Raises ImproperlyConfigured for anything that is not 0 ≤ percent < 100 with at most two decimals."""
    raw = str(settings.BANTU["PLATFORM_FEE_PERCENT"])
    try:
        bps = Decimal(raw) * 100
    except InvalidOperation:
        raise ImproperlyConfigured(f"PLATFORM_FEE_PERCENT={raw!r} is not a number.") from None
    if bps != bps.to_integral_value() or not 0 <= bps < BASIS_POINTS:
        raise ImproperlyConfigured(f"PLATFORM_FEE_PERCENT={raw!r}: use 0 to 99.99 with at most two decimals.")
    return int(bps)


def fee_for(amount: int, bps: int) -> int:
    """The platform fee on `amount` rupiah at `bps` basis points, rounded down.

    Rounding down is the platform's disfavour (the freelancer keeps the fraction), and `amount - fee` is then the
    freelancer's exact share: the two always add up to `amount`, so no rupiah is lost."""
    return amount * bps // BASIS_POINTS
