"""The staff console's layers hold: only the tracker_store package knows Rasa's `events` table
(and its declaration matches Rasa's own), only the service layer runs blocking work off the
event loop, and pages and handlers build the console's links with url_for."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.staff.staff_helpers import ROOT

STAFF = ROOT / "web" / "staff"


def _modules(below: Path = STAFF) -> list[Path]:
    return sorted(p for p in below.rglob("*.py") if "__pycache__" not in p.parts)


def _imported_modules(path: Path) -> set[str]:
    """The modules a file imports (`from a import b` counts as importing a.b when b is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                as_path = ROOT / Path(*name.split("."))
                if as_path.with_suffix(".py").exists() or as_path.is_dir():
                    found.add(name)
    return found


# --- the tracker store ---------------------------------------------------------------------

TRACKER_STORE = STAFF / "tracker_store"
# Retention deletes old conversations: the one write to the tracker store, kept in the package.
MAY_REACH_IN = {STAFF / "retention.py": {"web.staff.tracker_store.retention"}}


def test_only_the_tracker_store_package_knows_rasas_table():
    reaching = {}
    for path in _modules(ROOT / "web"):
        if TRACKER_STORE in path.parents:
            continue
        inner = {m for m in _imported_modules(path) if m.startswith("web.staff.tracker_store.")}
        inner -= MAY_REACH_IN.get(path, set())
        if inner:
            reaching[str(path.relative_to(ROOT))] = inner
    assert reaching == {}, "modules that reach into the tracker store's insides"


def test_the_events_table_is_declared_as_rasa_declares_it():
    pytest.importorskip("rasa")
    from rasa.core.tracker_store import SQLTrackerStore

    from web.staff.tracker_store.schema import events

    rasa_table = SQLTrackerStore.SQLEvent.__table__

    def shape(table):
        return {
            c.name: (type(c.type).__name__, getattr(c.type, "length", None), c.nullable)
            for c in table.columns
        }

    assert events.name == rasa_table.name
    assert shape(events) == shape(rasa_table)


# --- the service layer ---------------------------------------------------------------------

# What only services (and the command-line tools) may call: the queries on both databases
# (clinic.db's time helpers are pure, and its engine_for is the services' too).
QUERIES = (
    "sqlalchemy",
    "clinic.requests",
    "web.staff.clinic_queries",
    "web.staff.review_queries",
    "web.staff.tracker_store",
    "web.staff.export_data",
    "web.staff.visitors",
)
# The console's request side: routes, access control and rendering, which run on the loop.
ON_THE_LOOP = [*(STAFF / "routes").glob("*.py"), STAFF / "access.py", STAFF / "rendering.py"]


def test_blocking_work_leaves_the_event_loop_in_one_place():
    leaving = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if re.search(r"run_in_executor|to_thread|off_loop\(", path.read_text())
    ]
    assert leaving == ["web/staff/services/base.py"]


def test_handlers_reach_the_databases_only_through_services():
    reaching = {
        str(path.relative_to(ROOT)): sorted(
            m for m in _imported_modules(path) if m.startswith(QUERIES)
        )
        for path in ON_THE_LOOP
    }
    assert {path: found for path, found in reaching.items() if found} == {}


def test_a_service_method_runs_in_a_worker_thread_and_raises_to_its_caller():
    import asyncio
    import threading

    from web.staff.services.base import Missing, blocking

    class Work:
        @blocking
        def where(self, value: int) -> tuple[int, int]:
            return threading.get_ident(), value * 2

        @blocking
        def fail(self) -> None:
            raise Missing("not there")

    async def run() -> tuple[int, tuple[int, int]]:
        loop_thread = threading.get_ident()
        done = await Work().where(21)
        with pytest.raises(Missing, match="not there"):
            await Work().fail()
        return loop_thread, done

    loop_thread, (worker, value) = asyncio.run(run())
    assert value == 42 and worker != loop_thread


# --- form and pager helpers ----------------------------------------------------------------


def test_a_text_field_is_read_as_sent_trimmed_and_cut_only_when_asked():
    from web.staff.inputs import text

    form = {"note": "  call back  ", "sender": "x" * 300, "listed": ["first", "second"]}
    assert text(form, "note") == "  call back  "
    assert text(form, "note", strip=True) == "call back"
    assert text(form, "note", 6, strip=True) == "call b"  # trimmed, then cut
    assert text(form, "absent") == "" and text({"empty": None}, "empty") == ""
    assert text(form, "listed") == "first"  # a parse_qs mapping: the first value
    assert text({"none": []}, "none") == ""


def test_a_conversation_id_is_cut_to_the_tracker_stores_column_but_not_trimmed():
    from web.staff.inputs import SENDER_LENGTH, sender

    assert sender({"sender": " a b "}) == " a b "  # ids are taken as they are
    assert sender({"sender": "x" * 300}) == "x" * SENDER_LENGTH
    assert sender({}) == ""


def test_choices_numbers_id_lists_and_a_form_as_typed():
    from web.staff.inputs import BadInput, fields, id_list, number, one_of

    assert one_of({"status": "contacted"}, "status", ("new", "contacted"), "new") == "contacted"
    assert one_of({"status": "gone"}, "status", ("new", "contacted"), "new") == "new"
    assert one_of({}, "status", ("new",), "all") == "all"
    assert number({}, "page", 1) == 1 and number({"page": " 7 "}, "page", 1) == 7
    with pytest.raises(BadInput, match="page number must be a whole number from 1 to"):
        number({"page": "0"}, "page", 1)
    with pytest.raises(BadInput, match="number of days must be a whole number from 1 to 366"):
        number({"days": "999"}, "days", 30, 1, 366)
    assert id_list(" 3,4,,5 ", "label") == [3, 4, 5] and id_list(None) == []
    assert id_list(",".join(map(str, range(1, 600)))) == list(range(1, 501))
    with pytest.raises(BadInput):
        id_list("3,x", "label")
    assert fields({"staff": ["Ana"], "at": ["2024-05-01T10:00"]}) == {
        "staff": "Ana",
        "at": "2024-05-01T10:00",
    }


@pytest.mark.parametrize(
    "asked, total, per_page, page, pages, offset",
    [
        (1, 0, 25, 1, 1, 0),  # an empty list has one page
        (3, 60, 25, 3, 3, 50),
        (9, 60, 25, 3, 3, 50),  # past the end: the last page
        (0, 60, 25, 1, 3, 0),
        (2, 50, 25, 2, 2, 25),  # exactly two full pages
        (2, 51, 25, 2, 3, 25),
    ],
)
def test_the_pager_keeps_the_page_within_the_list(asked, total, per_page, page, pages, offset):
    from web.staff.pager import Pager

    pager = Pager.at(asked, total, per_page)
    assert (pager.page, pager.pages, pager.offset) == (page, pages, offset)
    items = list(range(total))
    assert list(pager.of(items)) == items[offset : offset + per_page]


# --- links ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    from web.app import create_app
    from web.settings import Settings

    return create_app(Settings(secret_key="test"), name="staff_links_test")


def test_links_are_built_from_route_names(app):
    from web.staff.links import url_for

    assert url_for(app, "staff_dashboard.dashboard") == "/staff/"  # the home keeps its slash
    assert url_for(app, "staff_conversations.conversations") == "/staff/conversations"
    assert (
        url_for(app, "staff_requests.request_detail", request_id=12, _anchor="follow-up")
        == "/staff/requests/12#follow-up"
    )
    # The list's arguments first, in order, then the link's own; empty ones left out.
    args = {"from": "2024-05-01", "q": "a b&c", "tag": "", "intent": None}
    assert (
        url_for(app, "staff_conversations.transcript", args, sender="web 1/2")
        == "/staff/conversations/view?from=2024-05-01&q=a+b%26c&sender=web+1%2F2"
    )
    assert url_for(app, "staff_exports.export_conversation_summary_csv") == (
        "/staff/export/conversation-summary.csv"
    )


def test_a_template_links_on_the_app_that_renders_it(app):
    from web.staff.links import linking, static, url

    with pytest.raises(LookupError):
        url("staff_audit.audit_page")  # outside a page: no app to ask
    with linking(app):
        assert url("staff_audit.audit_page", page=2) == "/staff/audit?page=2"
        assert static("staff.css") == "/static/staff.css"
        assert static("staff-unsaved.js") == "/static/staff-unsaved.js"


def test_every_link_in_the_templates_names_a_route_and_none_is_written_out(app):
    named = set()
    for template in sorted((STAFF / "templates").glob("*.html")):
        html = template.read_text()
        assert not re.search(r"""["'](/staff|/static)""", html), template.name
        named |= set(re.findall(r"""\burl\('([\w.]+)'""", html))
    routes = {route.name.split(".", 1)[1] for route in app.router.routes}
    assert named and named <= routes, named - routes


def test_a_query_string_is_changed_keeping_the_rest_of_the_link():
    from web.staff.links import with_query

    assert with_query("/staff/requests?status=new&saved=3", saved=7) == (
        "/staff/requests?status=new&saved=7"
    )
    assert with_query("/staff/requests/5", saved=5) == "/staff/requests/5?saved=5"
    back = "/staff/improve?days=90&saved=1,2&page=2"
    assert with_query(back, drop=("saved", "undone"), undone=2) == (
        "/staff/improve?days=90&page=2&undone=2"
    )
    assert with_query("/staff/improve?days=7&undone=1", drop=("undone",), saved="") == (
        "/staff/improve?days=7"
    )


@pytest.mark.parametrize(
    "value, kept",
    [
        ("/staff/requests?status=new", True),
        ("/staff", True),
        ("https://evil.example/staff/", False),
        ("//evil.example/staff/", False),
        ("/staffing", False),
        ("/staff/\\evil", False),
        ("/staff/\r\nSet-Cookie: x", False),
        (None, False),
    ],
)
def test_a_form_goes_back_only_to_the_consoles_own_pages(value, kept):
    from web.staff.links import safe_next

    assert safe_next(value, "/staff/") == (value if kept else "/staff/")
