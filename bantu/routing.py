from django.urls import path

from bantu.core.consumers import UserSocketConsumer

websocket_urlpatterns = [
    path("ws/", UserSocketConsumer.as_asgi()),
]
