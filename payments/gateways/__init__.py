"""Which gateway does what, from settings (README: PAYMENT_GATEWAY, PAYOUT_GATEWAY and the keys).

Adapters are built per call from the current settings: they are cheap, and tests (or an operator rotating a key)
change settings without stale clients surviving in a module cache.
"""

from django.conf import settings

from .base import Gateway

XENDIT, MIDTRANS, SANDBOX = "xendit", "midtrans", "sandbox"
NAMES = (XENDIT, MIDTRANS, SANDBOX)


def funding_gateway_name() -> str:
    """The gateway new payments use: PAYMENT_GATEWAY, or the first one with keys, or the sandbox."""
    config = settings.BANTU
    if config["PAYMENT_GATEWAY"]:
        return config["PAYMENT_GATEWAY"]
    if config["XENDIT_SECRET_KEY"]:
        return XENDIT
    if config["MIDTRANS_SERVER_KEY"]:
        return MIDTRANS
    return SANDBOX


def funding_gateways_available() -> tuple[str, ...]:
    """The gateways a company may choose to pay through: those with keys, and the sandbox only when no real
    gateway has keys or PAYMENT_GATEWAY names it — never beside a real one, or fake money could fund escrow."""
    config = settings.BANTU
    real = tuple(name for name, key in ((XENDIT, "XENDIT_SECRET_KEY"), (MIDTRANS, "MIDTRANS_SERVER_KEY"))
                 if config[key])
    if not real or config["PAYMENT_GATEWAY"] == SANDBOX:
        return (*real, SANDBOX)
    return real


def payout_gateway_name() -> str:
    """The gateway payouts use: PAYOUT_GATEWAY, or Xendit when it has a key, or the sandbox."""
    config = settings.BANTU
    if config["PAYOUT_GATEWAY"]:
        return config["PAYOUT_GATEWAY"]
    return XENDIT if config["XENDIT_SECRET_KEY"] else SANDBOX


def get_gateway(name: str) -> Gateway:
    """The adapter for `name` (one of NAMES), configured from settings. Raises KeyError for other names."""
    if name == XENDIT:
        from .xendit import XenditGateway  # the SDKs load only where their gateway is used

        return XenditGateway.from_settings()
    if name == MIDTRANS:
        from .midtrans import MidtransGateway

        return MidtransGateway.from_settings()
    if name == SANDBOX:
        from .sandbox import SandboxGateway

        return SandboxGateway()
    raise KeyError(name)
