from django.urls import path

from chat.consumers import UserSocketConsumer

websocket_urlpatterns = [
    path("ws/", UserSocketConsumer.as_asgi()),
]
