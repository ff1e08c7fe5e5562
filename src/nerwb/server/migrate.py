"""Move a workspace's Doccano from SQLite to PostgreSQL with nothing lost.

Django's own ``dumpdata``/``loaddata`` copy every row with its primary key (so example ids,
which pushes, pulls and suggestion ledgers refer to, stay the same) into a freshly migrated
PostgreSQL database. Before the workspace switches, both databases are counted: rows per table,
and per project member the examples they see, their spans (with a digest of every span's
example, offsets and label) and their confirmations. Any difference stops the move and leaves
the workspace on SQLite, untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field

from nerwb.choices import DoccanoDatabase
from nerwb.doccano.errors import DoccanoError
from nerwb.errors import ErrorKind
from nerwb.progress import OnProgress, Steps
from nerwb.server.local import (
    DATABASE_URL_ENV,
    SECRET_MODE,
    LocalServer,
)

MIGRATE_STAGE = "Moving Doccano to PostgreSQL"

# Tables that ``migrate`` makes on its own in the new database (content types and
# permissions): natural keys refer to them, so they are not copied.
_NOT_COPIED = ["contenttypes", "auth.permission"]

# Runs inside Doccano's venv. NERWB_STEP: dump | load | count.
_SCRIPT = """
import hashlib, json, os, sys
sys.path.insert(0, os.environ["NERWB_BACKEND"])
import django
django.setup()
from django.apps import apps
from django.core import management
step = os.environ["NERWB_STEP"]
excluded = json.loads(os.environ["NERWB_NOT_COPIED"])
if step == "dump":
    # dumpdata itself, less one trap: django-polymorphic's managers (default and base) turn
    # a project into its subclass, whose rows lack the parent table's, so they were lost.
    from django.core import serializers
    from django.db import DEFAULT_DB_ALIAS, router
    chosen = [
        (config, None) for config in apps.get_app_configs()
        if config.models_module is not None and config.label not in excluded
    ]
    def rows():
        for model in serializers.sort_dependencies(chosen, allow_cycles=True):
            meta = model._meta
            if meta.label_lower in excluded or meta.proxy or not meta.managed:
                continue
            if not router.allow_migrate_model(DEFAULT_DB_ALIAS, model):
                continue
            queryset = model._base_manager.order_by(meta.pk.name)
            if hasattr(queryset, "non_polymorphic"):
                queryset = queryset.non_polymorphic()
            yield from queryset.iterator()
    with open(os.environ["NERWB_DUMP"], "w", encoding="utf-8") as out:
        serializers.serialize("json", rows(), use_natural_foreign_keys=True, stream=out)
elif step == "load":
    management.call_command("migrate", verbosity=0)
    management.call_command("loaddata", os.environ["NERWB_DUMP"], verbosity=0)
else:
    from examples.models import ExampleState, Example
    from labels.models import Span
    from projects.models import Member
    models = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded or label in excluded:
            continue
        models[label] = model._base_manager.count()
    members = {}
    for member in Member.objects.select_related("user", "project"):
        project, user = member.project, member.user
        spans = Span.objects.filter(example__project=project, user=user)
        digest = hashlib.sha256()
        for row in spans.order_by("id").values_list(
            "id", "example_id", "start_offset", "end_offset", "label_id"
        ):
            digest.update(repr(row).encode())
        members[f"{project.name} / {user.username}"] = {
            "examples": Example.objects.filter(project=project).count(),
            "spans": spans.count(),
            "span_digest": digest.hexdigest()[:16],
            "confirmed": ExampleState.objects.filter(
                example__project=project, confirmed_by=user
            ).count(),
        }
    print(json.dumps({"models": models, "members": members}))
"""


@dataclass
class MigrationReport:
    target: DoccanoDatabase
    where: str
    members: dict[str, dict] = field(default_factory=dict)  # counts, equal on both sides
    rows: int = 0
    restarted: bool = False


def _counts_differ(before: dict, after: dict) -> list[str]:
    problems = []
    for kind in ("models", "members"):
        for key in sorted(set(before[kind]) | set(after[kind])):
            old, new = before[kind].get(key), after[kind].get(key)
            if old != new:
                problems.append(f"{key}: SQLite {old}, PostgreSQL {new}")
    return problems


class _Runner:
    def __init__(self, server: LocalServer, env: dict[str, str]):
        self.server, self.env = server, env

    def __call__(self, step: str, database_url: str, what: str) -> str:
        env = {
            **self.env,
            "DATABASE_URL": database_url,
            "NERWB_STEP": step,
            "NERWB_NOT_COPIED": json.dumps(_NOT_COPIED),
            "NERWB_DUMP": str(self.server.home / "migration-dump.json"),
        }
        result = subprocess.run(
            [str(self.server.venv / "bin" / "python"), "-c", _SCRIPT],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-8:]
            raise DoccanoError(f"{what} failed (exit {result.returncode}): " + " / ".join(tail))
        return result.stdout


def migrate_to_postgres(
    server: LocalServer, on_progress: OnProgress | None = None
) -> MigrationReport:
    """Copy the workspace's SQLite Doccano into PostgreSQL (the workspace's own cluster, or
    the server ``DOCCANO_DATABASE_URL`` names), check the counts, then switch the workspace.

    The server is stopped while the data is copied (no label may land in the old database
    after the dump) and started again afterwards when it was running. The SQLite file stays
    where it was, as it was.

    Raises:
            DoccanoError: already on PostgreSQL, nothing to move, the external database holds
                examples already, a step failed, or the counts differ (the workspace then
                stays on SQLite).
    """
    step = Steps(on_progress, MIGRATE_STAGE)
    current = server.database()
    if current is not DoccanoDatabase.SQLITE:
        raise DoccanoError(f"this workspace's Doccano already keeps its data in {current}")
    if not server.sqlite_path.exists():
        raise DoccanoError(
            f"no SQLite database to move ({server.sqlite_path} is missing)",
            kind=ErrorKind.NO_SQLITE_DATA,
            path=server.sqlite_path,
        )
    target = (
        DoccanoDatabase.EXTERNAL if os.environ.get(DATABASE_URL_ENV) else DoccanoDatabase.POSTGRES
    )
    status = server.status()
    was_running = status.web_pid is not None or status.worker_pid is not None
    if was_running:
        step("Stopping Doccano, so that nothing is written while the data is copied")
        server.down()
    if not server.is_installed():
        server.install(on_progress)
    sqlite_url = server.database_url(DoccanoDatabase.SQLITE)
    run = _Runner(server, server.env_for(sqlite_url))
    dump = server.home / "migration-dump.json"
    dump.unlink(missing_ok=True)
    dump.touch(mode=SECRET_MODE)  # password hashes and tokens: 0600 before a byte is written
    try:
        step("Counting what SQLite holds")
        before = json.loads(run("count", sqlite_url, "counting the SQLite database"))
        step("Dumping the SQLite database (Django dumpdata)")
        run("dump", sqlite_url, "dumping the SQLite database")
        target_url = server.start_database(target, on_progress)
        if target is DoccanoDatabase.POSTGRES:
            # Not the workspace's live data (it is on SQLite): what a failed move left.
            server.create_postgres_database(recreate=True)
            (server.cluster.folder / ".migrated").unlink(missing_ok=True)
        else:
            existing = json.loads(run("count", target_url, "counting the target database"))
            if existing["models"].get("examples.example"):
                raise DoccanoError(
                    f"the database {DATABASE_URL_ENV} names already holds "
                    f"{existing['models']['examples.example']} example(s); "
                    "migrate into an empty one"
                )
        step("Loading it into PostgreSQL (migrate, loaddata)")
        run("load", target_url, "loading into PostgreSQL")
        step("Counting what PostgreSQL holds")
        after = json.loads(run("count", target_url, "counting the PostgreSQL database"))
        problems = _counts_differ(before, after)
        if problems:
            raise DoccanoError(
                "the copy differs from SQLite, so the workspace stays on SQLite: "
                + "; ".join(problems[:10])
            )
    except BaseException:
        server.cluster.stop()
        raise
    finally:
        dump.unlink(missing_ok=True)
    server.switch_database(target)
    report = MigrationReport(
        target,
        server.status().database_where,
        after["members"],
        sum(after["models"].values()),
    )
    if was_running:
        step("Starting Doccano on PostgreSQL")
        server.up(on_progress=on_progress)
        report.restarted = True
    else:
        server.cluster.stop()
    return report
