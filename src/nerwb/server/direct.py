"""The workspace's own Doccano read and written through Doccano's Django models, in its venv.

nerwb installs and runs the local server, so it can do without the REST API what the REST
API does, as ``doccano migrate`` does (``nerwb.server.migrate``): a pull reads every member's
spans and confirmations in one database transaction (no export tasks, no task worker, no
polling), and suggestions are created in bulk (``bulk_create``), each as its annotator's own
span, with the fields Doccano's span endpoint stores (example, user, label, offsets; the
rest its defaults). A remote server (``DOCCANO_URL``) is reached over REST only: there the
export path of ``nerwb.doccano`` stays, and it stays the fallback here.

Doccano's version is pinned. Every run first checks that the model fields nerwb reads or
writes (``MODEL_FIELDS``) are there with the types expected; when they are not, nothing is
read or written and ``DoccanoModelsChanged`` names the differences.

The scripts run in Doccano's venv with the server's environment (database URL and secret key
in environment variables, never in argv); requests go in on stdin, answers come back as JSON
on stdout.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

from nerwb.doccano.connection import remote_url
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Example, Project
from nerwb.doccano.projects import project_named
from nerwb.doccano.pull import BetweenExports, MemberView, ProjectLabels, keyed_records
from nerwb.doccano.suggest import ProjectState, SpanJob
from nerwb.errors import ErrorKind
from nerwb.records.credentials import Credentials
from nerwb.server.local import LocalServer, local_server
from nerwb.workspace import Workspace

# Every field nerwb reads or writes, with Django's internal type (and, for a relation, the
# model it points to). A test compares them with the installed Doccano's models.
MODEL_FIELDS: dict[str, dict[str, str]] = {
    "auth.User": {"id": "AutoField", "username": "CharField"},
    "projects.Project": {
        "id": "BigAutoField",
        "name": "CharField",
        "project_type": "CharField",
        "collaborative_annotation": "BooleanField",
        "guideline": "TextField",
        "created_at": "DateTimeField",
    },
    "projects.SequenceLabelingProject": {"allow_overlapping": "BooleanField"},
    "projects.Member": {"user": "ForeignKey auth.User", "project": "ForeignKey projects.Project"},
    "examples.Example": {
        "id": "BigAutoField",
        "project": "ForeignKey projects.Project",
        "text": "TextField",
        "meta": "JSONField",
        "created_at": "DateTimeField",
    },
    "examples.ExampleState": {
        "example": "ForeignKey examples.Example",
        "confirmed_by": "ForeignKey auth.User",
    },
    "label_types.SpanType": {
        "id": "BigAutoField",
        "text": "CharField",
        "project": "ForeignKey projects.Project",
    },
    "labels.Span": {
        "id": "BigAutoField",
        "example": "ForeignKey examples.Example",
        "user": "ForeignKey auth.User",
        "label": "ForeignKey label_types.SpanType",
        "start_offset": "IntegerField",
        "end_offset": "IntegerField",
    },
}

WRITE_BATCH = (
    500  # (segment, annotator) pairs per transaction: short, so web workers never wait long
)
FIELDS_CHANGED_EXIT = 3

# Runs inside Doccano's venv. NERWB_STEP: fields | labels | state | write.
_SCRIPT = r"""
import json, os, sys, types
backend = os.environ["NERWB_BACKEND"]
sys.path.insert(0, backend)
# Only the apps whose models are read or written (and what those import): Doccano's settings
# as they are, without importing the `config` package's Celery app, nor the apps a reading
# needs nothing of (auto-labelling alone imports boto3 and more). Start-up: 1.25 s of CPU ->
# 0.57 s (measured on this machine); a pull of 10k segments starts it once.
config = types.ModuleType("config")
config.__path__ = [os.path.join(backend, "config")]
sys.modules["config"] = config
from django.conf import settings
settings.INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "polymorphic", "django_drf_filepond",
    "roles", "projects", "examples", "label_types", "labels",
]
import django
django.setup()
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction

def answer(data):
    sys.stdout.buffer.write(json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n")
    sys.stdout.flush()

expected = json.loads(os.environ["NERWB_MODEL_FIELDS"])
found = {}
for label, names in expected.items():
    try:
        model = apps.get_model(label)
    except LookupError:
        found[label] = None
        continue
    found[label] = {}
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            found[label][name] = None
            continue
        kind = field.get_internal_type()
        if field.is_relation and field.related_model is not None:
            kind += " " + field.related_model._meta.label
        found[label][name] = kind
step = os.environ["NERWB_STEP"]
if step == "fields" or found != expected:
    answer(found)
    sys.exit(0 if step == "fields" else 3)

from examples.models import Example, ExampleState
from label_types.models import SpanType
from labels.models import Span
from projects.models import Member, Project, SequenceLabelingProject
from django.contrib.auth.models import User

request = json.load(sys.stdin)
postgres = connection.vendor == "postgresql"
if connection.vendor == "sqlite":
    # A transaction that writes takes SQLite's write lock at its start (BEGIN IMMEDIATE): one
    # that first reads and then asks for it can meet a web worker doing the same, and one of
    # the two fails at once ("database is locked") instead of waiting its turn.
    def _begin(write=step == "write"):
        connection.cursor().execute("BEGIN IMMEDIATE" if write else "BEGIN")
    connection._start_transaction_under_autocommit = _begin

def consistent():
    # One snapshot for every query of the reading (PostgreSQL's default, READ COMMITTED,
    # takes a fresh one per statement; SQLite's read transaction holds one already).
    if postgres:
        connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

def visible_projects():
    # What the admin's GET /v1/projects lists, in its order.
    return list(
        Project.objects.non_polymorphic()
        .filter(role_mappings__user__username=request["admin"])
        .order_by("-created_at")
        .values("id", "name", "project_type", "collaborative_annotation", "guideline")
    )

def project_labels(project):
    members = dict(
        Member.objects.filter(project_id=project["id"]).values_list("user_id", "user__username")
    )
    examples = list(
        Example.objects.filter(project_id=project["id"])
        .order_by("created_at", "id")
        .values_list("id", "text", "meta")
    )
    spans = list(
        Span.objects.filter(example__project_id=project["id"], user_id__in=list(members))
        .values_list("example_id", "user_id", "start_offset", "end_offset", "label__text")
    )
    states = list(
        ExampleState.objects.filter(
            example__project_id=project["id"], confirmed_by_id__in=list(members)
        ).values_list("example_id", "confirmed_by_id")
    )
    return {"members": members, "examples": examples, "spans": spans, "states": states}

if step == "labels":
    with transaction.atomic():
        consistent()
        projects = visible_projects()
        read = {}
        for name in request["names"]:
            project = next((p for p in projects if p["name"] == name), None)
            if project is not None:
                read[name] = project_labels(project)
    answer({"projects": projects, "read": read})
elif step == "state":
    with transaction.atomic():
        consistent()
        projects = visible_projects()
        project = next((p for p in projects if p["name"] == request["name"]), None)
        out = {"projects": projects}
        if project is not None:
            pid = project["id"]
            users = dict(
                User.objects.filter(username__in=request["annotators"]).values_list("username", "id")
            )
            out.update(
                allow_overlapping=bool(
                    SequenceLabelingProject.objects.filter(pk=pid)
                    .values_list("allow_overlapping", flat=True)
                    .first()
                ),
                users=users,
                members=sorted(
                    Member.objects.filter(project_id=pid, user_id__in=list(users.values()))
                    .values_list("user__username", flat=True)
                ),
                span_types=dict(SpanType.objects.filter(project_id=pid).values_list("text", "id")),
                examples=list(
                    Example.objects.filter(project_id=pid)
                    .order_by("created_at", "id")
                    .values_list("id", "text", "meta")
                ),
                spans=list(
                    Span.objects.filter(
                        example__project_id=pid, user_id__in=list(users.values())
                    ).values_list("example_id", "user_id", "start_offset", "end_offset", "label_id")
                ),
                states=list(
                    ExampleState.objects.filter(
                        example__project_id=pid, confirmed_by_id__in=list(users.values())
                    ).values_list("example_id", "confirmed_by_id")
                ),
            )
    answer(out)
elif step == "write":
    jobs = request["jobs"]
    everyone = request["collaborative"]  # spans of every user count as overlapping then
    def overlaps(a, b):
        return a[0] < b[1] and b[0] < a[1]
    for first in range(0, len(jobs), request["batch"]):
        batch = jobs[first : first + request["batch"]]
        outcome = []
        with transaction.atomic():
            examples = {job["example"] for job in batch}
            users = {job["user"] for job in batch}
            have, anyone = {}, {}
            for example, user, start, end, label in Span.objects.filter(
                example_id__in=examples
            ).values_list("example_id", "user_id", "start_offset", "end_offset", "label_id"):
                anyone.setdefault(example, []).append((start, end, label))
                if user in users:
                    have.setdefault((example, user), set()).add((start, end, label))
            confirmed = set(
                ExampleState.objects.filter(
                    example_id__in=examples, confirmed_by_id__in=users
                ).values_list("example_id", "confirmed_by_id")
            )
            new = []
            for job in batch:
                key = (job["example"], job["user"])
                mine = have.get(key, set())
                expect = job["expect"]
                if (expect is not None and mine != {tuple(s) for s in expect}) or (
                    job["unconfirmed"] and key in confirmed
                ):
                    outcome.append(-1)  # the annotator changed it since it was read
                    continue
                others = anyone.get(job["example"], []) if everyone else list(mine)
                wanted = [tuple(s) for s in job["spans"] if tuple(s) not in mine]
                # Doccano's own rule (Span.validate_unique, which bulk_create skips): no span
                # over another of the same annotator unless the project allows overlapping.
                if not request["allow_overlapping"] and any(
                    overlaps(a, b)
                    for i, a in enumerate(wanted)
                    for b in [*others, *wanted[:i]]
                ):
                    outcome.append(-1)
                    continue
                new += [
                    Span(
                        example_id=job["example"], user_id=job["user"], label_id=label,
                        start_offset=start, end_offset=end,
                    )
                    for start, end, label in wanted
                ]
                outcome.append(len(wanted))
            Span.objects.bulk_create(new)
        answer({"first": first, "outcome": outcome})
"""


class DoccanoModelsChanged(DoccanoError):
    """The installed Doccano's models lack a field nerwb reads or writes, or changed its type."""


def differences(found: dict[str, Any], expected: dict[str, dict[str, str]]) -> list[str]:
    """What differs between the installed models' fields and ``expected``, one line each."""
    problems = []
    for label, fields in expected.items():
        have = found.get(label)
        if have is None:
            problems.append(f"{label} is missing")
            continue
        for name, kind in fields.items():
            if have.get(name) != kind:
                problems.append(f"{label}.{name} is {have.get(name) or 'missing'}, not {kind}")
    return problems


class DirectAccess:
    """Reads and writes one local server's database in Doccano's own venv.

    ``url`` is the server's URL as the REST path names it, so snapshots and ledgers made either
    way name the same server and project.
    """

    read_from = "database"

    def __init__(self, server: LocalServer):
        self.server = server
        credentials = Credentials.load(server.credentials_path)
        self.url = credentials.url
        self.admin = credentials.username
        self._env = server.env_for(server.database_url(server.database()))

    # ------------------------------------------------------------------ running a step
    def _command(self) -> list[str]:
        return [str(self.server.venv / "bin" / "python"), "-c", _SCRIPT]

    def _environment(self, step: str) -> dict[str, str]:
        return {**self._env, "NERWB_STEP": step, "NERWB_MODEL_FIELDS": json.dumps(MODEL_FIELDS)}

    def _fail(self, step: str, returncode: int, stdout: str, stderr: str) -> DoccanoError:
        if returncode == FIELDS_CHANGED_EXIT and stdout.strip():
            problems = differences(json.loads(stdout.strip().splitlines()[-1]), MODEL_FIELDS)
            return DoccanoModelsChanged(
                "the installed Doccano's models differ from the ones nerwb reads and writes "
                f"directly ({'; '.join(problems)}); its venv is {self.server.venv}",
                kind=ErrorKind.DOCCANO_MODELS_CHANGED,
                path=self.server.venv,
            )
        tail = (stderr or stdout).strip().splitlines()[-8:]
        return DoccanoError(
            f"reading Doccano's database directly ({step}) failed (exit {returncode}): "
            + " / ".join(tail)
        )

    def _run(self, step: str, request: dict[str, Any] | None = None) -> Any:
        result = subprocess.run(
            self._command(),
            input=json.dumps(request or {}).encode("utf-8"),
            capture_output=True,
            env=self._environment(step),
            check=False,
        )
        stdout = result.stdout.decode("utf-8", "replace")
        if result.returncode != 0:
            raise self._fail(
                step, result.returncode, stdout, result.stderr.decode("utf-8", "replace")
            )
        return json.loads(stdout)

    def model_fields(self) -> dict[str, Any]:
        """The installed models' fields that nerwb uses, as ``MODEL_FIELDS`` writes them."""
        return self._run("fields")

    # ------------------------------------------------------------------ pull
    def _project(self, projects: list[dict[str, Any]], name: str) -> Project:
        return project_named([Project.model_validate(p) for p in projects], name, self.url)

    def read(
        self, name: str, *, also: str | None = None, between: BetweenExports | None = None
    ) -> tuple[ProjectLabels, ProjectLabels | None]:
        """Both projects' member views in one transaction: a consistent moment, so nothing
        needs reading twice. (``between`` is the export path's test hook: there is no moment
        between two readings here.)

        Raises:
            DoccanoError: no project called ``name`` (as ``find_project``), or the read failed.
            DoccanoModelsChanged: see the module.
        """
        names = [name] + ([also] if also else [])
        data = self._run("labels", {"admin": self.admin, "names": names})
        main = ProjectLabels(self._project(data["projects"], name), _views(data["read"][name]))
        if not also or also not in data["read"]:
            return main, None
        return main, ProjectLabels(
            self._project(data["projects"], also), _views(data["read"][also])
        )

    # ------------------------------------------------------------------ suggestions
    def project_state(self, name: str, annotators: list[str]) -> ProjectState:
        """The project's examples, span types, and the annotators' accounts, memberships,
        spans and confirmations.

        Raises:
            DoccanoError: no project called ``name`` (as ``find_project``).
            DoccanoModelsChanged: see the module.
        """
        data = self._run("state", {"admin": self.admin, "name": name, "annotators": annotators})
        project = self._project(data["projects"], name)
        names = {user_id: username for username, user_id in data["users"].items()}
        state = ProjectState(
            project=project,
            allow_overlapping=data["allow_overlapping"],
            users=data["users"],
            members=set(data["members"]),
            span_types=data["span_types"],
            examples=[
                Example(id=eid, text=text, meta=meta or {}) for eid, text, meta in data["examples"]
            ],
        )
        for eid, user_id, start, end, label in data["spans"]:
            state.spans.setdefault((eid, names[user_id]), set()).add((start, end, label))
        state.confirmed = {(eid, names[user_id]) for eid, user_id in data["states"]}
        return state

    def create_spans(
        self,
        project: Project,
        jobs: list[SpanJob],
        *,
        allow_overlapping: bool,
        batch: int = WRITE_BATCH,
    ) -> Iterator[tuple[int, list[int]]]:
        """Create the jobs' spans, ``batch`` jobs per transaction; yields after each batch
        (first job's index, per job the spans created or -1 where the annotator had changed
        the example since it was read: nothing is created there).

        Raises:
            DoccanoError: the script failed (the batches yielded before are committed).
            DoccanoModelsChanged: see the module.
        """
        request = {
            "collaborative": project.collaborative_annotation,
            "allow_overlapping": allow_overlapping,
            "batch": batch,
            "jobs": [
                {
                    "example": job.example,
                    "user": job.user,
                    "spans": job.spans,
                    "expect": None if job.expect is None else sorted(job.expect),
                    "unconfirmed": job.unconfirmed,
                }
                for job in jobs
            ],
        }
        # stderr to a file: a pipe nobody reads until the end could fill and stall the script
        with (
            tempfile.TemporaryFile() as errors,
            subprocess.Popen(
                self._command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=self._environment("write"),
            ) as process,
        ):
            assert process.stdin and process.stdout
            lines = []
            try:
                process.stdin.write(json.dumps(request).encode("utf-8"))
                process.stdin.close()
                for line in process.stdout:
                    lines.append(line.decode("utf-8", "replace"))
                    answer = json.loads(line)
                    if isinstance(answer, dict) and "outcome" in answer:
                        yield answer["first"], answer["outcome"]
            except BaseException:
                # Ctrl-C, or the caller stopped: the batch under way rolls back; the ones
                # yielded are committed, and the caller's ledger says which.
                process.kill()
                raise
            if process.wait() != 0:
                errors.seek(0)
                stderr = errors.read().decode("utf-8", "replace")
                raise self._fail("write", process.returncode, "".join(lines), stderr)


def _views(read: dict[str, Any]) -> dict[str, MemberView]:
    """Each member's view, in the shape Doccano's export writes (``nerwb.doccano.pull``)."""
    members = {int(uid): name for uid, name in read["members"].items()}
    spans: dict[tuple[int, int], list[list[Any]]] = {}
    for eid, uid, start, end, label in read["spans"]:
        spans.setdefault((eid, uid), []).append([start, end, label])
    confirmed = {(eid, uid) for eid, uid in read["states"]}
    views = {}
    for uid, name in members.items():
        numbered = [
            (
                eid,
                line,
                {"id": eid, "text": text, **(meta or {}), "label": spans.get((eid, uid), [])},
            )
            for line, (eid, text, meta) in enumerate(read["examples"], 1)
        ]
        where = f"{name} (Doccano's database)"
        views[name] = MemberView(
            keyed_records((line, record) for _, line, record in numbered),
            keyed_records(
                (line, record) for eid, line, record in numbered if (eid, uid) in confirmed
            ),
            where,
            where,
        )
    return views


def direct_access(ws: Workspace) -> DirectAccess | None:
    """Direct access to the workspace's own local server when it is the one in use and runs;
    None otherwise (a remote server, or none running here): then REST it is."""
    if remote_url(ws):
        return None
    server = local_server(ws)
    if not server.is_installed() or not server.credentials_path.exists():
        return None
    if not server.status().running:
        return None
    try:
        return DirectAccess(server)
    except DoccanoError:  # settings this server lacks (an external database's URL unset)
        return None
