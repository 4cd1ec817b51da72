"""Generators of the documentation files that are derived from the code (`make docs`): the ER diagram
(docs/schema.md) and the Postman collection (docs/postman/). Each is deterministic, so that a test can regenerate
it and compare it with the committed file."""
