import uuid


def uuid_or_none(value) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is missing or malformed (callers decide whether that is a 400)."""
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
