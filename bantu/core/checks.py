from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [Error("SECRET_KEY is the embedded development key.", hint="Set SECRET_KEY.", id="bantu.E001")]
    return []


@register(Tags.security, deploy=True)
def check_real_payment_gateway(app_configs, **kwargs):
    config = settings.BANTU
    if not (config["XENDIT_SECRET_KEY"] or config["MIDTRANS_SERVER_KEY"]) or "sandbox" in (
            config["PAYMENT_GATEWAY"], config["PAYOUT_GATEWAY"]):
        return [Warning("The sandbox payment gateway is active: payments and payouts are not real.",
                        hint="Set XENDIT_SECRET_KEY (or MIDTRANS_SERVER_KEY) and XENDIT_CALLBACK_TOKEN.",
                        id="bantu.W010")]
    return []
