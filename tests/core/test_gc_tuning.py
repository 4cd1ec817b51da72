import gc
import subprocess
import sys

import pytest

from bantu.core import gc_tuning


def test_settling_freezes_what_is_alive_and_sets_the_thresholds():
    before = gc.get_threshold()
    try:
        gc_tuning.settle_after_startup()

        assert gc.get_threshold() == gc_tuning.THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.parametrize("entry_point", ["bantu.asgi", "bantu.wsgi"])
def test_each_server_entry_point_settles_the_collector_once_loaded(entry_point):
    probe = f"import gc, {entry_point}; print(gc.get_threshold(), gc.get_freeze_count() > 10_000)"
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)

    assert answer.stdout.split("\n")[0] == f"{gc_tuning.THRESHOLDS} True"
