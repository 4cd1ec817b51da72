import base64
import binascii

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bantu.core.serializers import StrictSerializer, Variant, WebURLField
from notifications import push, services
from notifications.models import Device

TAGS = ["notifications"]


class DeviceSerializer(serializers.ModelSerializer):
    endpoint = serializers.CharField(read_only=True, help_text="Web Push: the subscription endpoint (a URL). "
                                                                "FCM devices: empty.")

    class Meta:
        model = Device
        fields = ["id", "kind", "endpoint", "active", "last_success_at", "created_at"]
        read_only_fields = fields


def _b64url(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        raise serializers.ValidationError("Not base64url.") from None


class WebPushKeysSerializer(StrictSerializer):
    # base64url (padded or not) of 65 bytes starting 0x04, and of 16 bytes: what the checks below decode. The
    # patterns are also the schema's; that the point is on the curve, no schema can say.
    p256dh = serializers.CharField(
        max_length=200, trim_whitespace=False,
        validators=[RegexValidator(r"^B[A-Za-z0-9_-]{86}=?$", message="Not an uncompressed P-256 public key.")],
        help_text="base64url of the browser's P-256 public key (65 bytes, uncompressed).")
    auth = serializers.CharField(
        max_length=100, trim_whitespace=False,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{22}(?:==)?$", message="The auth secret is 16 bytes.")],
        help_text="base64url of the 16-byte auth secret.")

    def validate_p256dh(self, value):
        raw = _b64url(value)
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise serializers.ValidationError("Not an uncompressed P-256 public key.") from None
        if len(raw) != 65:
            raise serializers.ValidationError("Not an uncompressed P-256 public key.")
        return value

    def validate_auth(self, value):
        if len(_b64url(value)) != 16:
            raise serializers.ValidationError("The auth secret is 16 bytes.")
        return value


class DeviceRegisterSerializer(StrictSerializer):
    variants = (Variant(fields=("kind", "endpoint", "keys"), values={"kind": Device.Kind.WEBPUSH.value}),
                Variant(fields=("kind", "token"), values={"kind": Device.Kind.FCM.value}))

    kind = serializers.ChoiceField(choices=Device.Kind.choices)
    endpoint = WebURLField(max_length=1000, required=False,
                           help_text="Web Push: `PushSubscription.endpoint`, an https URL of a public push service "
                                     "(an address inside a private network, or this server's, is refused).")
    keys = WebPushKeysSerializer(required=False, help_text="Web Push: `PushSubscription.toJSON().keys`.")
    token = serializers.CharField(max_length=4096, required=False, help_text="FCM: the registration token.")

    def validate_endpoint(self, value):
        refusal = push.endpoint_refusal(value)
        if refusal:
            raise serializers.ValidationError(refusal)
        return value

    def validate(self, attrs):
        if attrs["kind"] == Device.Kind.WEBPUSH:
            missing = [name for name in ("endpoint", "keys") if name not in attrs]
            if missing or "token" in attrs:
                raise serializers.ValidationError({**{name: ["Required for Web Push."] for name in missing},
                                                   **({"token": ["Only for FCM."]} if "token" in attrs else {})})
        elif "token" not in attrs or "endpoint" in attrs or "keys" in attrs:
            raise serializers.ValidationError({"token": ["FCM devices send `token` only."]})
        return attrs


class DeviceListApi(generics.ListAPIView):
    """Your push devices (GET); register a Web Push subscription or an FCM token (POST; 200 if known)."""

    serializer_class = DeviceSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return Device.objects.filter(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DeviceRegisterSerializer, responses={201: DeviceSerializer, 200: DeviceSerializer},
                   tags=TAGS)
    def post(self, request):
        """Register a push device."""
        data = DeviceRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        keys = values.get("keys", {})
        device, created = services.device_register(user=request.user, kind=values["kind"],
                                                   endpoint=values.get("endpoint", ""), p256dh=keys.get("p256dh", ""),
                                                   auth=keys.get("auth", ""), token=values.get("token", ""))
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DeviceSerializer(device).data, status=code)


class DeviceDetailApi(APIView):
    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request, pk):
        """Unregister a push device."""
        services.device_remove(device=get_object_or_404(Device, pk=pk, user=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebPushKeyApi(APIView):
    """The VAPID public key a browser needs for `pushManager.subscribe({applicationServerKey})`."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: inline_serializer("WebPushKey", {"public_key": serializers.CharField(
        allow_blank=True, help_text="URL-safe base64; empty when Web Push is not configured.")})}, tags=TAGS)
    def get(self, request):
        """Get the VAPID public key for Web Push."""
        return Response({"public_key": settings.BANTU["VAPID_PUBLIC_KEY"]})
