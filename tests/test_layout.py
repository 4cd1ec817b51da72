"""The tests of each app are arranged by the layer they go through: `services/` (domain code called directly), `api/`
(the REST API through DRF's test client), `consumers/` (the WebSocket consumer through channels' communicator),
`admin/` (the Django admin's pages) and `e2e/` (real server or worker processes). Helper modules and conftest.py stay
at the app's folder; a test module there fails this test."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
APPS = [
    "accounts", "backoffice", "chat", "companies", "freelancers", "jobs", "notifications", "payments", "proposals",
    "push", "reviews", "seeding", "taxonomy",
]
LAYERS = {"services", "api", "consumers", "admin", "e2e"}


def test_the_tests_of_each_app_sit_in_layer_folders():
    misplaced, unknown, without_init = [], [], []
    for app in APPS:
        folder = TESTS / app
        misplaced += [f"tests/{app}/{path.name}" for path in sorted(folder.glob("test_*.py"))]
        for sub in sorted(path for path in folder.iterdir() if path.is_dir() and path.name != "__pycache__"):
            if sub.name not in LAYERS:
                unknown.append(f"tests/{app}/{sub.name}")
            elif not (sub / "__init__.py").is_file():
                without_init.append(f"tests/{app}/{sub.name}")

    assert misplaced == [], f"move these into a layer folder ({', '.join(sorted(LAYERS))})"
    assert unknown == [], "not a layer folder"
    assert without_init == [], "a layer folder without __init__.py"
