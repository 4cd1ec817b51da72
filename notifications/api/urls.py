from django.urls import path

from . import devices, views

urlpatterns = [
    path("notifications/", views.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read-all/", views.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("notifications/<uuid:pk>/read/", views.NotificationReadApi.as_view(), name="notification-read"),
]

urlpatterns += [
    path("devices/", devices.DeviceListApi.as_view(), name="device-list"),
    path("devices/webpush-key/", devices.WebPushKeyApi.as_view(), name="device-webpush-key"),
    path("devices/<uuid:pk>/", devices.DeviceDetailApi.as_view(), name="device-detail"),
]
