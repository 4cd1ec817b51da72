from django.template.loader import render_to_string
from rest_framework.renderers import BaseRenderer


class SandboxCheckoutHTMLRenderer(BaseRenderer):
    """The sandbox checkout as a page for browsers (its view renders errors as JSON problem details)."""

    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        amount = f"Rp{data['amount']:,}".replace(",", ".")  # Indonesian grouping: Rp1.500.000
        return render_to_string("payments/sandbox_checkout.html", {"payment": data, "amount": amount},
                                request=renderer_context.get("request"))
