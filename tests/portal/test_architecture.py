"""DESIGN.md's "who may import whom", held by a test so the rooms stay rooms.

Django's string references to models ("camps.Camp") don't count, and neither do
migrations. The one edge DESIGN.md does not list: thalassemia reads camps' Hospital, the
child's treating hospital being a partner the camps app keeps.

``portal`` is the shared room with no domain (spreadsheets, PDF pages, the scoped-unit API
field, form helpers): it imports ``accounts`` only, every app
may import it, and ``accounts`` imports neither a domain app nor ``portal``.

No module imports itself back, directly or round a loop, counting imports inside functions
(a lazy import hides a loop; it does not remove it)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# Our apps, as settings install them: a new app must be given its rule below.
APPS = tuple(app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").is_file())
ALLOWED = {
    "accounts": set(),
    "portal": {"accounts"},
    "donors": {"accounts", "portal", "notifications"},
    "camps": {"accounts", "portal", "donors", "notifications"},
    "thalassemia": {"accounts", "portal", "donors", "notifications", "camps"},
    "notifications": {"accounts", "portal"},
    "calldesk": {"accounts", "portal", "thalassemia", "donors", "notifications"},
    "emergency": {"accounts", "portal", "donors", "notifications", "camps"},
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


def test_every_app_has_a_rule():
    assert set(ALLOWED) == set(APPS)


def test_the_check_sees_imports():
    # The dashboard reads every domain app: if the walk found nothing, it found nothing.
    assert {other for _, other in imports_of("dashboard")} >= {"donors", "camps", "thalassemia"}


def test_the_shared_room_is_used_and_knows_no_domain():
    # portal/ is not dead weight: the domain rooms import it, and it imports accounts only.
    users = {app for app in APPS for _, other in imports_of(app) if other == "portal"}
    assert users >= {"donors", "camps", "thalassemia", "dashboard"}
    assert {other for _, other in imports_of("portal")} <= {"accounts"}


# --- No import cycles between modules -------------------------------------------------------

# Each project module of the walk: our apps and the project package (not tests, bench,
# migrations).
PACKAGES = (*APPS, "donation_portal")

# Known loops kept for now, each edge said why. An entry whose edge is gone fails
# test_every_cycle_allowance_is_still_needed: delete it then.
# Import cycles allowed, each with its reason: none.
CYCLE_ALLOWED: set[tuple[str, str]] = set()


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imported(module: str, path: Path, node) -> list[str]:
    """The modules an import statement names, absolute (``from . import x`` → pkg.x)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    # ``from pkg import name``: the module pkg.name when there is one, else pkg itself.
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def import_graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    """Module → the project modules it imports, anywhere in its code (functions too)."""
    modules = modules if modules is not None else project_modules()
    graph = {}
    for module, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            names = _imported(module, path, node)
            if isinstance(node, ast.ImportFrom):  # pkg.name if a module, else pkg
                *names, base = names
                names = [name if name in modules else base for name in names]
            for name in names:
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    edges.add(name)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_module_imports_itself_back_round_a_loop():
    graph = import_graph()
    for source, target in CYCLE_ALLOWED:
        graph.get(source, set()).discard(target)
    loops = [
        " → ".join(group)
        + f" (edges: {sorted((m, t) for m in group for t in graph[m] if t in group)})"
        for group in cycles(graph)
    ]
    assert loops == [], "Import cycles between modules:\n" + "\n".join(loops)


def test_every_cycle_allowance_is_still_needed():
    graph = import_graph()
    stale = [edge for edge in sorted(CYCLE_ALLOWED) if edge[1] not in graph.get(edge[0], ())]
    assert stale == [], "Delete these CYCLE_ALLOWED entries: the import is gone"


def test_the_cycle_check_sees_lazy_imports_and_finds_loops():
    graph = import_graph()
    # An import inside a function is an edge (donors/filters.py reads selectors lazily).
    assert "donors.selectors" in graph["donors.filters"]
    # Relative imports resolve to the module: ``from . import sheets`` in portal/views.py.
    assert "portal.sheets" in graph["portal.views"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# --- Only services write ------------------------------------------------------------------
#
# DESIGN.md's "one write path": views, forms, serializers and tasks translate input and
# output and call a service; the service checks the rules, writes and audits. The scan reads
# the code (``ast``), it does not run it, so it is a heuristic, held precise enough that it
# has no false alarms in the house and fails on the plain ways of writing from an interface:
#
# 1. A call of a method that only ever writes a model (``.save()``, ``.delete()``,
#    ``.bulk_create()``, ``.bulk_update()``, ``.get_or_create()``, ``.update_or_create()``):
#    always. That includes ``form.save()``, a formset's ``.save()`` and ``serializer.save()``.
# 2. ``.create()`` / ``.update()``, which dicts and sets also have (``context.update(...)``):
#    only on a manager or queryset, i.e. when the receiver is ``super()`` or its chain goes
#    through ``.objects``, a queryset method (``filter``, ``all``, ...), a scoping selector
#    (a name ending ``_for``, such as ``patients_for(user)``), a related manager
#    (``hospital.contacts``) or a name assigned from such a chain in the same function.
#    A receiver that is a plain name or a known dict attribute (``cleaned_data``) is not.
# 3. A class that inherits a write DRF does or Django's generic views do by default
#    (``CreateModelMixin.perform_create`` → ``serializer.save()``, ``ModelFormMixin.form_valid``
#    → ``form.save()``, ``DeletionMixin`` → ``object.delete()``) without overriding it, or whose
#    override calls ``super()`` into it.
# 4. A serializer or form whose ``create()`` / ``update()`` / ``save()`` calls ``super()``'s:
#    DRF's and Django's defaults write the model.

WRITE_ALWAYS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
WRITE_ON_MANAGER = {"create", "update"}
QUERYSET_METHODS = {
    "objects",
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "distinct",
    "using",
    "get_queryset",
    "for_user",
}
# Attributes that hold dicts, not managers: ``form.cleaned_data.update(...)`` is no write.
DICT_ATTRIBUTES = {"cleaned_data", "validated_data", "initial", "data", "headers", "META", "GET"}
# A related manager is reached as ``obj.<plural>``; these plural attributes are not managers.
NOT_MANAGERS = DICT_ATTRIBUTES | {"kwargs", "errors", "context", "extra_context", "session"}

# The writes a base class does by default, each with the overrides that replace it: the
# perform_* hook, the whole action, or (Django) form_valid / post without calling super's.
_CREATE = ("perform_create", {"perform_create", "create", "post"})
_UPDATE = ("perform_update", {"perform_update", "update", "put", "patch"})
_DESTROY = ("perform_destroy", {"perform_destroy", "destroy", "delete"})
_FORM = ("form_valid", {"form_valid", "post"})
DEFAULT_WRITES = {
    "CreateModelMixin": [_CREATE],
    "UpdateModelMixin": [_UPDATE],
    "DestroyModelMixin": [_DESTROY],
    "ModelViewSet": [_CREATE, _UPDATE, _DESTROY],
    "CreateAPIView": [_CREATE],
    "ListCreateAPIView": [_CREATE],
    "UpdateAPIView": [_UPDATE],
    "RetrieveUpdateAPIView": [_UPDATE],
    "DestroyAPIView": [_DESTROY],
    "RetrieveDestroyAPIView": [_DESTROY],
    "RetrieveUpdateDestroyAPIView": [_UPDATE, _DESTROY],
    "CreateView": [_FORM],
    "UpdateView": [_FORM],
    "ModelFormMixin": [_FORM],
    "DeleteView": [_FORM],
    "DeletionMixin": [("delete", {"delete", "post", "form_valid"})],
}
SERIALIZER_WRITES = {"create", "update", "save"}

# 5. ``audit.record`` of a write (create, update, correction...) in an interface: the service
#    that writes records it, so every path logs the same way. Reading is the interface's to
#    log (views of a personal record, exports), and so are sign-ins.
READ_ACTIONS = {"VIEW", "EXPORT", "LOGIN", "LOGOUT", "LOGIN_FAILED"}

INTERFACE_NAMES = {"views", "forms", "serializers", "tasks"}
INTERFACE_PACKAGES = {"views", "api"}

# Not domain writes, each said why. (relative path, enclosing function, "receiver.method").
WRITE_ALLOWED: set[tuple[str, str, str]] = set()


def interface_modules():
    """Every module of our apps that is an interface: views, forms, serializers, tasks."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts:
                continue
            if path.stem in INTERFACE_NAMES or INTERFACE_PACKAGES & set(parts[1:-1]):
                yield path


def _chain(node):
    """The names a receiver goes through, outermost last: ``Donor.objects.filter(x)`` →
    ["Donor", "objects", "filter"]; ``super()`` → ["super()"]."""
    names = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "super":
                names.append("super()")
                break
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            break
        else:
            break
    return list(reversed(names))


def _is_queryset_chain(chain):
    """Through a manager, a queryset method or a scoping selector (``patients_for(user)``)."""
    return bool(QUERYSET_METHODS & set(chain)) or any(
        name.endswith("_for") or name.startswith("for_") for name in chain
    )


def _is_manager_chain(chain, managers):
    if not chain:
        return False
    if chain[0] == "super()" or chain[0] in managers:
        return True
    if _is_queryset_chain(chain):
        return True
    # obj.contacts: a related manager is a plural attribute of an object (not of self).
    last = chain[-1]
    return (
        len(chain) >= 2
        and last.endswith("s")
        and last not in NOT_MANAGERS
        and chain[-2] not in ("self", "request")
    )


class _Writes(ast.NodeVisitor):
    """Finds the write calls of one module, with the function they are in."""

    def __init__(self):
        self.found = []  # (line, function, description)
        self.function = "<module>"
        self.managers = set()

    def visit_FunctionDef(self, node):
        outer = (self.function, self.managers)
        self.function, self.managers = node.name, set()
        # Names bound to a manager or queryset in this function: ``qs = X.objects.filter()``.
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and _is_queryset_chain(_chain(sub.value)):
                for target in sub.targets:
                    if isinstance(target, ast.Name):
                        self.managers.add(target.id)
        self.generic_visit(node)
        self.function, self.managers = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            chain = _chain(node.func.value)
            receiver = ".".join(chain) or "<expression>"
            if method in WRITE_ALWAYS or (
                method in WRITE_ON_MANAGER
                and chain[-1:] != ["__dict__"]
                and not (chain and chain[-1] in DICT_ATTRIBUTES)
                and _is_manager_chain(chain, self.managers)
            ):
                self.found.append((node.lineno, self.function, f"{receiver}.{method}()"))
            if method == "record" and chain == ["audit"]:
                writes = "/".join(sorted(_audit_actions(node) - READ_ACTIONS))
                if writes:
                    self.found.append(
                        (node.lineno, self.function, f"audit.record(action={writes}) of a write")
                    )
        self.generic_visit(node)


def _audit_actions(call):
    """The AuditAction members an ``audit.record(action=...)`` call may write."""
    return {
        node.attr
        for keyword in call.keywords
        if keyword.arg == "action"
        for node in ast.walk(keyword.value)
        if isinstance(node, ast.Attribute) and _chain(node.value)[-1:] == ["AuditAction"]
    }


def _classes(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


def _base_names(cls):
    return [_chain(base)[-1] for base in cls.bases if _chain(base)]


def _methods(cls):
    return {
        node.name: node
        for node in cls.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _calls_super(function, name):
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
        and _chain(node.func.value) == ["super()"]
        for node in ast.walk(function)
    )


def _default_writes(path, tree, all_classes):
    """Concrete classes that inherit a default write they don't replace."""
    local = {cls.name for cls in _classes(tree)}
    used_as_base = {name for cls in _classes(tree) for name in _base_names(cls)}
    for cls in _classes(tree):
        if cls.name in used_as_base:
            continue  # an abstract base: its concrete subclasses are checked
        # The ancestry by name, through the classes of every interface module.
        ancestry, methods, todo, seen = [], {}, [cls], set()
        while todo:
            current = todo.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            for name, function in _methods(current).items():
                methods.setdefault(name, function)
            for base in _base_names(current):
                ancestry.append(base)
                if base in all_classes and base != current.name:
                    todo.append(all_classes[base] if base not in local else _local(tree, base))
        for base in ancestry:
            if base not in DEFAULT_WRITES:
                continue
            for hook, overrides in DEFAULT_WRITES[base]:
                replaced = [
                    name
                    for name in overrides
                    if name in methods and not _calls_super(methods[name], name)
                ]
                if not replaced:
                    yield cls.lineno, cls.name, f"inherits {base}'s default write ({hook})"


def _local(tree, name):
    return next(cls for cls in _classes(tree) if cls.name == name)


def _serializer_writes(tree):
    """Serializers and model forms whose create/update/save fall through to the default."""
    for cls in _classes(tree):
        bases = set(_base_names(cls))
        if not bases & {"ModelSerializer", "Serializer", "ModelForm", "BaseModelFormSet"}:
            continue
        for name, function in _methods(cls).items():
            if name in SERIALIZER_WRITES and _calls_super(function, name):
                yield function.lineno, f"{cls.name}.{name}", f"super().{name}() writes the model"


def write_offenders(source: str, path: str = "<snippet>", all_classes=None):
    """Each write an interface module does itself, as "path:line in function: what"."""
    tree = ast.parse(source, filename=path)
    finder = _Writes()
    finder.visit(tree)
    found = list(finder.found)
    found += _default_writes(path, tree, all_classes or {c.name: c for c in _classes(tree)})
    found += _serializer_writes(tree)
    return sorted(
        f"{path}:{line} in {where}: {what}"
        for line, where, what in found
        if (path, where, what) not in WRITE_ALLOWED
    )


def test_only_services_write():
    trees = {path: ast.parse(path.read_text(), filename=str(path)) for path in interface_modules()}
    all_classes = {cls.name: cls for tree in trees.values() for cls in _classes(tree)}
    offenders = [
        offender
        for path, tree in trees.items()
        for offender in write_offenders(
            path.read_text(), str(path.relative_to(ROOT)), all_classes=all_classes
        )
    ]
    assert offenders == [], (
        "Views, forms, serializers and tasks must call a service to write "
        "(DESIGN.md, one write path):\n" + "\n".join(offenders)
    )


def test_the_write_check_scans_every_interface():
    scanned = {str(path.relative_to(ROOT)) for path in interface_modules()}
    assert {
        "camps/views/partners.py",
        "camps/api/serializers.py",
        "thalassemia/api/views.py",
        "notifications/tasks.py",
        "calldesk/views/desk.py",
        "dashboard/views.py",
        "accounts/views.py",
        "donors/forms.py",
    } <= scanned


VIEW_THAT_WRITES = """
from donors.models import Donor

def pledge(request):
    Donor.objects.create(name=request.POST["name"])
"""


@pytest.mark.parametrize(
    "snippet, offence",
    [
        (VIEW_THAT_WRITES, "Donor.objects.create()"),
        ("def f(request, pk):\n    Donor.objects.filter(pk=pk).update(name='x')", "update()"),
        ("def f(donor):\n    donor.save()", "donor.save()"),
        ("def f(form):\n    form.save()", "form.save()"),
        ("def f(hospital):\n    hospital.contacts.create(name='x')", "hospital.contacts.create"),
        ("def f(pk):\n    qs = Donor.objects.filter(pk=pk)\n    qs.update(name='x')", "qs.update"),
        ("def f(pk):\n    Donor.objects.filter(pk=pk).delete()", "delete()"),
        ("def f(user):\n    messages_for(user).update(state='x')", "messages_for.update()"),
        ("def f(user):\n    rows = donors_for(user)\n    rows.update(name='x')", "rows.update()"),
        ("def f():\n    Donor.objects.bulk_create([])", "bulk_create()"),
        (
            "class V(mixins.CreateModelMixin, GenericViewSet):\n    queryset = Donor.objects.all()",
            "inherits CreateModelMixin's default write (perform_create)",
        ),
        (
            "class V(viewsets.ModelViewSet):\n"
            "    def perform_create(self, serializer):\n        donor_create(**serializer.data)",
            "inherits ModelViewSet's default write (perform_update)",
        ),
        (
            "class V(CreateView):\n    def form_valid(self, form):\n"
            "        return super().form_valid(form)",
            "inherits CreateView's default write (form_valid)",
        ),
        (
            "def f(request, patient):\n    patient_update(patient=patient)\n"
            "    audit.record(action=AuditAction.UPDATE, request=request, obj=patient)",
            "audit.record(action=UPDATE) of a write",
        ),
        (
            "class S(serializers.ModelSerializer):\n    def update(self, instance, data):\n"
            "        return super().update(instance, data)",
            "super().update() writes the model",
        ),
    ],
)
def test_the_write_check_fails_on_a_view_that_writes(snippet, offence):
    offenders = write_offenders(snippet)
    assert any(offence in offender for offender in offenders), offenders


@pytest.mark.parametrize(
    "snippet",
    [
        "def get_context_data(self, **kwargs):\n    context = {}\n    context.update(kwargs)",
        "def clean(self):\n    self.cleaned_data.update(x=1)",
        "def f(self, **kwargs):\n    kwargs.update(user=self.request.user)",
        "def f(serializer):\n    services.donor_create(**serializer.validated_data)",
        "def f(request, patient):\n    audit.record(action=AuditAction.VIEW, obj=patient)",
        "class V(mixins.CreateModelMixin, GenericViewSet):\n"
        "    def perform_create(self, serializer):\n"
        "        serializer.instance = donor_create(**serializer.validated_data)",
        "class V(CreateView):\n    def form_valid(self, form):\n"
        "        self.object = camp_create(**form.cleaned_data)",
    ],
)
def test_the_write_check_lets_reads_and_service_calls_be(snippet):
    assert write_offenders(snippet) == []
