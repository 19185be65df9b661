"""DESIGN.md's "who may import whom", held by a test so the rooms stay rooms.

Django's string references to models ("camps.Camp") don't count, and neither do
migrations. The one edge DESIGN.md does not list: thalassemia reads camps' Hospital, the
child's treating hospital being a partner the camps app keeps."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "donors", "camps", "thalassemia", "notifications", "calldesk", "dashboard")
ALLOWED = {
    "accounts": set(),
    "donors": {"accounts", "notifications"},
    "camps": {"accounts", "donors", "notifications"},
    "thalassemia": {"accounts", "donors", "notifications", "camps"},
    "notifications": {"accounts"},
    "calldesk": {"accounts", "thalassemia", "donors", "notifications"},
    "dashboard": set(APPS) - {"dashboard"},
}


def imports_of(app: str):
    """(file, imported app) for every import of another of our apps in ``app``'s code."""
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != app:
                    yield path.relative_to(ROOT), top


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_what_the_design_allows(app):
    wrong = [
        f"{path} imports {other}" for path, other in imports_of(app) if other not in ALLOWED[app]
    ]
    assert wrong == []


def test_nothing_imports_the_dashboard_or_the_call_desk():
    wrong = [
        f"{path} imports {other}"
        for app in APPS
        for path, other in imports_of(app)
        if other in ("dashboard", "calldesk") and app != other
    ]
    assert wrong == []


def test_the_check_sees_imports():
    # The dashboard reads every domain app: if the walk found nothing, it found nothing.
    assert {other for _, other in imports_of("dashboard")} >= {"donors", "camps", "thalassemia"}
