"""Generators of the documentation files that are derived from the code (`make docs`): the ER diagram
(docs/schema.md) and the Postman collection (docs/postman/); the AsyncAPI document of the socket is the chat app's
(chat/asyncapi.py), as it reads the consumer. Each is deterministic, so that a test can regenerate it and compare
it with the committed file."""
