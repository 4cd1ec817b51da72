class MethodPermissionsMixin:
    """Declare who may call each method: `method_permissions = {"GET": [AllowAny], "PATCH": [IsCompanyAdmin]}`.

    Methods not listed fall back to `permission_classes` (authenticated users by default)."""

    method_permissions: dict = {}

    def get_permissions(self):
        classes = self.method_permissions.get(self.request.method if self.request else "GET")
        if classes is None:
            return super().get_permissions()
        return [permission() for permission in classes]
