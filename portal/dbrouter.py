"""Reads from a read replica, for the dashboard and the exports only (issue 17).

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias (a streaming
standby of the primary). This router sends a read there only inside a *replica scope*: the
dashboard page, its totals and forecast APIs, the dashboard, donor and camp-report exports
(``ReplicaReadsMiddleware`` opens the scope for those URLs) and a donor export written by a
worker (``portal.jobs.run_export_job``). Everywhere else, and for every write, the primary
answers, so a page that writes and then reads back (save a donor, show the donor) never
reads a replica that has not caught up yet.

Inside a scope, some reads still go to the primary:

* who is asking: sessions, users, units, tokens, permissions and lockouts
  (``PRIMARY_ONLY_APPS``). Someone who has just signed in must not be sent back to the
  sign-in page because their session has not reached the replica.
* anything read inside a transaction on the primary (``transaction.atomic()``): code that
  reads in order to write (the dashboard's roll-up refresh) reads what it writes against.

With no replica configured the router has no opinion (``None``): Django uses ``default``
for everything, exactly as before."""

import contextlib
import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# Identity and permission lookups: always the primary.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "authtoken", "axes", "contenttypes", "admin"}
)

# The URL names (``namespace:name``) whose reads may come from the replica.
REPLICA_VIEWS = frozenset(
    {
        "dashboard:index",
        "dashboard:export",
        "dashboard-totals",
        "dashboard-forecast",
        "donors:export",
        "camps:report",
        "camps:eraktkosh",
    }
)

_scope = contextvars.ContextVar("bloodbond_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads():
    """Reads inside this block may come from the replica (when there is one)."""
    token = _scope.set(True)
    try:
        yield
    finally:
        _scope.reset(token)


def in_replica_scope() -> bool:
    return _scope.get()


def _primary_in_transaction() -> bool:
    """A transaction of ours is open on the primary. A test case's own wrapping
    transactions do not count (Django marks them), so tests see what production does."""
    connection = connections[DEFAULT_DB_ALIAS]
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        if (
            _scope.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not _primary_in_transaction()
        ):
            return REPLICA
        # Explicitly the primary: otherwise Django would follow a related object read
        # from the replica (its ``_state.db``) back to the replica.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Never the replica, even for an object read from it (a standby refuses writes).
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: an object read from the replica may be
        # linked to one from the primary (e.g. an audit event naming an exported camp).
        pair = {obj1._state.db, obj2._state.db}
        if replica_configured() and pair <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A streaming replica gets its schema from the primary's WAL, never from migrate.
        # (Tests point the alias at the test database itself: TEST MIRROR, see settings.)
        return False if db == REPLICA else None


class ReplicaReadsMiddleware:
    """Opens a replica scope for the views in ``REPLICA_VIEWS``, from the moment the URL
    is resolved until the answer is made. A streamed answer (the donor CSV) reads as it is
    sent, after this middleware has returned: its chunks are produced inside the scope
    too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = request.__dict__.pop("_replica_scope", None)
            if token is not None:
                _scope.reset(token)
        if token is not None and getattr(response, "streaming", False):
            response.streaming_content = _in_scope(response.streaming_content)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if replica_configured() and match is not None and match.view_name in REPLICA_VIEWS:
            request._replica_scope = _scope.set(True)
        return None


def _in_scope(chunks):
    """Each chunk of a streamed answer produced inside the replica scope; the scope is
    closed between chunks, so nothing else in this thread reads the replica."""
    iterator = iter(chunks)
    while True:
        with replica_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
