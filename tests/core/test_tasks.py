"""bantu.core.tasks.registered_task: a service finds a task by name without importing its tasks module."""

import logging

import pytest

from bantu.core import tasks


def test_the_first_lookup_imports_the_tasks_modules_without_setting_django_up_again(monkeypatch):
    # Celery's import_default_modules ran django.setup() again, whose logging configuration dropped every handler
    # the process had added to the root logger (pytest's log capture, in a test; a server's own, in production).
    monkeypatch.setattr(tasks, "_modules_imported", False)
    handler = logging.NullHandler()
    logging.getLogger().addHandler(handler)
    try:
        task = tasks.registered_task("jobs.search_words_refresh")

        assert task.name == "jobs.search_words_refresh"
        assert handler in logging.getLogger().handlers
    finally:
        logging.getLogger().removeHandler(handler)


def test_an_unknown_task_name_is_a_key_error():
    with pytest.raises(KeyError):
        tasks.registered_task("jobs.no_such_task")
