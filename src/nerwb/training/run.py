"""``nerwb train``: spaCy's own training loop with nerwb's checks, progress and manifest.

The loop is spaCy's (``spacy.training.loop.train``), so a run costs what ``spacy train`` costs;
nerwb adds checks before (data, labels, test leakage, output folder), a progress callback
during, and ``manifest.json`` after.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import spacy
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train
from thinc.api import Config

from nerwb import __version__
from nerwb.corpus.splits import load_splits
from nerwb.errors import SETTING, ErrorKind, NerwbError, TrainingError
from nerwb.labels.gold_names import names_sha256
from nerwb.lock import workspace_lock
from nerwb.progress import STEP, OnProgress, ProgressEvent, emit
from nerwb.records.conversion import ConversionRecord
from nerwb.records.dev_scores import DevScores
from nerwb.records.training import (
    ConversionFacts,
    RunStatus,
    TrainGoldNames,
    TrainingManifest,
    manifest_path,
)
from nerwb.training.base_model import (
    BasePipeline,
    find_base_pipeline,
    fit_to_base,
    taken_component,
)
from nerwb.training.config import load_training_config
from nerwb.training.data import DataSummary, gold_entity_names, refuse_test_data, summarise
from nerwb.training.options import TrainOptions
from nerwb.workspace import Workspace

TRAINING_STAGE = "Training"
CLAIMED_STAGE = "Claiming the run folder"


@dataclass(frozen=True)
class StepEvent(ProgressEvent):
    """One training step as a progress event (``done`` steps): at the steps spaCy evaluates,
    its dev ``score``, the ``losses`` and the per-label dev ``scores`` (``DevScores``)."""

    scores: DevScores = field(default_factory=DevScores)

    @classmethod
    def at(
        cls,
        step: int,
        score: float | None = None,
        losses: dict[str, float] | None = None,
        scores: DevScores | None = None,
    ) -> StepEvent:
        return cls(
            TRAINING_STAGE,
            step,
            None,
            "step",
            score=score,
            losses=losses or {},
            scores=scores or DevScores(),
        )

    @property
    def step(self) -> int:
        return self.done

    @property
    def evaluated(self) -> bool:
        return self.score is not None


StepCallback = OnProgress  # it hears StepEvents


def steps_only(on_step: StepCallback | None) -> OnProgress | None:
    """An ``on_progress`` for ``train`` that passes on its training steps (``StepEvent``) only,
    for a caller that draws the steps and has no use for the lock's wait or the run folder."""
    if on_step is None:
        return None
    hear = on_step

    def on_progress(event: ProgressEvent) -> None:
        if isinstance(event, StepEvent):
            hear(event)

    return on_progress


# spaCy builds its logger from the config's registry name, so the run's callback cannot be
# passed in as an argument: it travels in a context variable, set by train() around the loop.
_RUN_LOG: ContextVar[Callable[[dict[str, Any] | None], None] | None] = ContextVar(
    "nerwb_run_log", default=None
)
TRAIN_LOG = "train.log"  # spaCy's own output of the run, kept beside the models


PROGRESS_LOGGER = "nerwb.ProgressLogger.v1"


@spacy.registry.loggers(PROGRESS_LOGGER)
def progress_logger(user: Callable | None = None) -> Callable:
    """A spaCy training logger that hands every step to the running train() call, after the
    ``user`` logger (the config's own ``[training.logger]``: spaCy's console table, W&B,
    MLflow...) has had it: nerwb's progress is added to the user's logging, never in its place.
    """

    def setup(nlp: Any, stdout: Any = None, stderr: Any = None) -> tuple[Callable, Callable]:
        theirs = user(nlp, stdout, stderr) if user is not None else None

        def log_step(info: dict[str, Any] | None) -> None:
            if theirs is not None:
                theirs[0](info)
            receive = _RUN_LOG.get()
            if receive is not None:
                receive(info)  # last: it may stop the run (Ctrl-C) once the user's has logged

        def finalize() -> None:
            if theirs is not None:
                theirs[1]()

        return log_step, finalize

    return setup


def chained_logger(logger: Any) -> dict[str, Any]:
    """The ``[training.logger]`` block of a run: nerwb's progress logger with the config's own
    logger (if any, and not nerwb's already) inside it."""
    block: dict[str, Any] = {"@loggers": PROGRESS_LOGGER}
    if isinstance(logger, dict) and logger.get("@loggers") not in (None, PROGRESS_LOGGER):
        block["user"] = dict(logger)
    return block


def evaluation_line(event: StepEvent) -> str:
    """One plain line per evaluation: train.log, and the CLI's output when not on a terminal."""
    other = event.scores
    losses = ", ".join(f"{k} {v:.1f}" for k, v in sorted(event.losses.items())) or "-"
    return (
        f"step {event.step}: loss {losses}; dev P {other.ents_p or 0:.3f} "
        f"R {other.ents_r or 0:.3f} F {other.ents_f or 0:.3f}; "
        f"score {event.score or 0:.3f}"
    )


def log_while_running(output: Path) -> Path:
    """Where ``train.log`` grows during a run into ``output`` (the staging folder)."""
    return staging_folder(output) / TRAIN_LOG


@dataclass
class _StepLog:
    """What a run's steps leave behind: their count, the evaluations, and the callback."""

    on_step: StepCallback | None
    steps: int = 0
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    sink: Any = None  # train.log, open while the run goes: one line per evaluation
    interrupt_requested: bool = False

    def __call__(self, info: dict[str, Any] | None) -> None:
        # spaCy passes the info dict only at evaluation steps, None at the others
        if not info:
            self.steps += 1
            event = StepEvent.at(self.steps)
        else:
            self.steps = int(info.get("step", self.steps))
            losses = {k: float(v) for k, v in (info.get("losses") or {}).items()}
            score = None if info.get("score") is None else float(info["score"])
            event = StepEvent.at(
                self.steps, score, losses, DevScores.from_spacy(info.get("other_scores"))
            )
            if score is not None:
                self.evaluations.append({"step": self.steps, "score": score, "losses": losses})
            if self.sink is not None:
                self.sink.write(evaluation_line(event) + "\n")
                self.sink.flush()
        if self.on_step:
            self.on_step(event)
        if self.interrupt_requested:
            # spaCy calls the logger after its checkpoint saves: stopping here never leaves
            # model-best or model-last half-written
            raise KeyboardInterrupt


@contextlib.contextmanager
def _ctrl_c_between_steps(log: _StepLog) -> Iterator[None]:
    """Ctrl-C during the loop stops at the next step, not inside a save; a second one at once.

    spaCy replaces model-best by deleting it and copying model-last: an interrupt inside that
    copy would leave no model-best, and the run would be lost.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def request_stop(signum: int, frame: Any) -> None:
        if log.interrupt_requested:
            raise KeyboardInterrupt
        log.interrupt_requested = True

    previous = signal.signal(signal.SIGINT, request_stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class TrainResult:
    output: Path
    best_score: float
    best_scores: DevScores
    manifest: TrainingManifest
    seconds: float
    steps: int = 0
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what nerwb changed or cleaned, for the user


class TrainingInterrupted(TrainingError):
    """Ctrl-C after at least one evaluation: the run was kept, marked interrupted, in ``result``."""

    default_kind = ErrorKind.TRAINING_INTERRUPTED

    def __init__(self, result: TrainResult):
        last = result.evaluations[-1]["step"] if result.evaluations else 0
        super().__init__(
            f"training interrupted at step {result.steps}; kept {result.output / 'model-best'} "
            f"(best dev F {result.best_score:.3f}) and {result.output / 'model-last'} "
            f"(last evaluation at step {last}); manifest.json says status interrupted",
            kind=ErrorKind.TRAINING_INTERRUPTED,
            path=result.output,
        )
        self.result = result


# manifest.json "status": a run that ran to its end, or one stopped by Ctrl-C and kept.
STATUS_FINISHED = RunStatus.FINISHED
STATUS_INTERRUPTED = RunStatus.INTERRUPTED


def _git_commit(root: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def check_labels(train: DataSummary, dev: DataSummary) -> None:
    if train.docs == 0 or not train.spans:
        raise TrainingError(
            f"training data {train.path} has no {'documents' if not train.docs else 'entities'}",
            kind=ErrorKind.NOTHING_TO_DO,
            path=train.path,
        )
    if dev.docs == 0 or not dev.spans:
        # spaCy would train, then score every checkpoint 0 (or fail to score it at all):
        # model-best would be chosen on nothing
        raise TrainingError(
            f"dev data {dev.path} has no {'documents' if not dev.docs else 'entities'}, so no "
            "checkpoint can be chosen as model-best",
            kind=ErrorKind.EMPTY_DEV,
            path=dev.path,
        )
    unseen = sorted(set(dev.spans) - set(train.spans))
    if unseen:
        raise TrainingError(
            f"dev data {dev.path} has label(s) {', '.join(unseen)} that the training data {train.path} never shows; "
            "the model cannot learn them: label more training articles or drop the label",
            kind=ErrorKind.LABEL_MISMATCH,
            path=dev.path,
        )


OWNER_FILE = "nerwb-owner.pid"  # in a staging folder: the process training into it


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    except (OverflowError, ValueError):
        return False
    return True


def sweep_stale_staging(parent: Path) -> list[str]:
    """Remove the ``.*.partial`` staging folders in ``parent`` that no live process owns.

    A run killed hard (SIGKILL, power loss) cannot clean up after itself; its staging folder
    holds no finished model and would otherwise stay hidden forever.
    """
    swept = []
    if not parent.is_dir():
        return swept
    for folder in sorted(parent.glob(".*.partial")):
        if not folder.is_dir():
            continue
        try:
            pid = int((folder / OWNER_FILE).read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            pid = None  # no owner file: left by a run that predates it, or never started
        if pid is not None and _alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        swept.append(folder.name)
    return swept


def staging_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.partial")


def _owner_of(staging: Path) -> str:
    try:
        return (staging / OWNER_FILE).read_text(encoding="utf-8").strip() or "?"
    except OSError:
        return "?"


def prepare_output(output: Path, *, force: bool, unique: bool = False) -> tuple[Path, Path]:
    """Claim the run folder ``output``: returns it and the staging folder to train into.

    The claim is the staging folder itself, made with ``os.mkdir`` (atomic: of two runs that
    want one name, exactly one gets it). With ``unique`` (a name nerwb chose, stamped to the
    second) a taken name gets a suffix, ``-2``, ``-3``..., so two runs started in the same second
    never share a folder; a name the user chose is refused instead.

    Raises:
        TrainingError: ``output`` holds another run (without ``force``), or another live run is
            training into it.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    for n in itertools.count(1):
        candidate = output if n == 1 else output.with_name(f"{output.name}-{n}")
        if unique and candidate.exists():
            continue
        if candidate.exists() and any(candidate.iterdir()) and not force:
            held = ", ".join(sorted(p.name for p in candidate.iterdir())[:4])
            raise TrainingError(
                f"{candidate} already holds a run ({held})",
                kind=ErrorKind.OUTPUT_HOLDS_RUN,
                path=candidate,
            )
        staging = staging_folder(candidate)
        try:
            os.mkdir(staging)
        except FileExistsError:
            if unique:
                continue
            # stale ones were swept before: this one belongs to a live run
            raise TrainingError(
                f"{candidate} is being trained into by another run (process "
                f"{_owner_of(staging)}); its models appear there when it finishes",
                kind=ErrorKind.RUN_IN_PROGRESS,
                path=candidate,
            ) from None
        # Written under the workspace lock, as every sweep runs: no sweep sees the folder
        # before its owner file.
        (staging / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
        return candidate, staging
    raise AssertionError("unreachable")  # itertools.count never ends


def resolve_data_paths(
    ws: Workspace,
    config_path: Path,
    overrides: dict[str, Any],
    train_path: Path | None,
    dev_path: Path | None,
) -> tuple[Path, Path]:
    """The training and dev data: ``--train``/``--dev``, else ``--paths.train``/``--paths.dev``
    or the config's own non-null ``[paths]``, else ``labels/{train,dev}.spacy``.

    Raises:
        TrainingError: ``--train`` and ``--paths.train`` (or the dev pair) name different files.
    """
    paths = load_training_config(config_path, overrides).get("paths") or {}
    chosen = []
    for key, given, default in (
        ("train", train_path, ws.docbin_path("train")),
        ("dev", dev_path, ws.docbin_path("dev")),
    ):
        configured = paths.get(key)
        if given is not None:
            override = overrides.get(f"paths.{key}")
            if override is not None and Path(str(override)) != Path(given):
                raise TrainingError(
                    f"{SETTING} {given} and the override paths.{key} {override} name different "
                    "data; give one",
                    kind=ErrorKind.DIFFERENT_DATA,
                    setting=f"{key}_data",
                )
            chosen.append(Path(given))
        elif isinstance(configured, str) and configured and "${" not in configured:
            chosen.append(Path(configured))
        else:
            chosen.append(default)
    return chosen[0], chosen[1]


class BaseSource(StrEnum):
    """Where the base pipeline a run trains on was named."""

    GIVEN = "given"  # the base_model argument (the CLI's --base-model, or nerwb.toml's)
    OVERRIDE = "override"  # a paths.base_model config override
    CONFIG = "config"  # the config file's own [paths] base_model


def base_choice(
    config_path: Path, overrides: dict[str, Any], base_model: str | None
) -> tuple[str, BaseSource] | None:
    """The base pipeline a run on ``config_path`` will use, as named, and where it was named;
    None for a config that takes no base pipeline (or names none)."""
    paths = load_training_config(config_path, overrides).get("paths") or {}
    if "base_model" not in paths:
        return None
    for value, source in (
        (base_model, BaseSource.GIVEN),
        (overrides.get("paths.base_model"), BaseSource.OVERRIDE),
        (paths.get("base_model"), BaseSource.CONFIG),
    ):
        if value:
            return str(value), source
    return None


def resolve_base_pipeline(
    ws: Workspace, config_path: Path, overrides: dict[str, Any], base_model: str | None
) -> BasePipeline | None:
    """The base pipeline a config starts from (``[paths] base_model``), checked; sets the
    overrides that point spaCy at it and fit the ner to what the config takes from it (its
    tok2vec's width, or the architecture of its ner: ``base_model.fit_to_base``).

    Raises:
        TrainingError: ``base_model`` given for a config that takes none, a config that needs
            one without it, or a base pipeline that cannot serve (see ``find_base_pipeline``).
    """
    config = load_training_config(config_path, overrides)
    paths = config.get("paths") or {}
    if "base_model" not in paths:
        if base_model:
            raise TrainingError(
                f"{SETTING} {base_model}: the config {config_path.name} takes no base "
                "pipeline (no [paths] base_model)",
                kind=ErrorKind.BASE_NOT_TAKEN,
                setting="base_model",
                path=config_path,
            )
        return None
    requested = base_model or overrides.get("paths.base_model") or paths.get("base_model")
    if not requested:
        raise TrainingError(
            f"{config_path.name} starts from a base pipeline, and none is named",
            kind=ErrorKind.NO_BASE_MODEL,
            setting="base_model",
            path=config_path,
        )
    base = find_base_pipeline(
        str(requested), language=ws.language, component=taken_component(config)
    )
    overrides["paths.base_model"] = base.location
    overrides.update(fit_to_base(config, base))
    return base


def _short_run_eval(config: Any, notes: list[str]) -> None:
    # spaCy evaluates at step 0 and every eval_frequency steps: a run shorter than that is only
    # scored untrained, and that untrained model becomes model-best.
    try:
        training = config.interpolate()["training"]
        max_steps, every = int(training.get("max_steps") or 0), int(training["eval_frequency"])
    except Exception:  # a config that cannot interpolate fails later with spaCy's own message
        return
    if 0 < max_steps < every:
        config["training"]["eval_frequency"] = max_steps
        notes.append(
            f"training.max_steps {max_steps} is below training.eval_frequency {every}; "
            f"evaluating every {max_steps} steps instead, so the last step is scored"
        )


def _check_data(ws: Workspace, read: _DataReadOnce) -> dict[str, DataSummary]:
    test_path = ws.docbin_path("test")
    splits = load_splits(ws.splits_path)
    test_ids = splits.ids("test") if splits else set()
    data = {}
    for role, path in (("training", read.train), ("dev", read.dev)):
        summary = summarise(read.copy_of(path), role=role, shown_as=path)
        refuse_test_data(summary, role=role, test_path=test_path, test_ids=test_ids)
        data[role] = summary
    check_labels(data["training"], data["dev"])
    return data


@dataclass
class _DataReadOnce:
    """The training and dev files as they were when the run started: copies that spaCy trains
    on and the manifest describes, so that a file rewritten during the run (``labels convert``)
    changes neither what the run learns nor what its manifest says it learnt from."""

    train: Path
    dev: Path
    folder: Path
    copies: dict[Path, Path] = field(default_factory=dict)

    @classmethod
    def take(cls, train: Path, dev: Path) -> _DataReadOnce:
        read = cls(train, dev, Path(tempfile.mkdtemp(prefix="nerwb-train-data-")))
        for name, path in (("train", train), ("dev", dev)):
            if path.is_file() and path not in read.copies:  # a missing file: refused by name
                copy = read.folder / f"{name}.spacy"
                shutil.copyfile(path, copy)  # one open: the bytes of one version of the file
                read.copies[path] = copy
        return read

    def copy_of(self, path: Path) -> Path:
        return self.copies.get(path, path)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _run_spacy(
    config: Config, staging: Path, gpu_id: int, log: _StepLog, read: _DataReadOnce
) -> None:
    """spaCy's init and loop into ``staging`` on the copies of the data, its output and each
    evaluation written to ``staging/train.log`` as they come (a long run can be followed with
    ``tail -f``)."""
    train_config = config.copy()
    train_config["paths"]["train"] = str(read.copy_of(read.train))
    train_config["paths"]["dev"] = str(read.copy_of(read.dev))
    train_config["training"]["logger"] = chained_logger(config["training"].get("logger"))
    # spaCy's status lines would fight the CLI's progress bar: they go to train.log instead.
    path = staging / TRAIN_LOG
    token = _RUN_LOG.set(log)
    try:
        with (
            path.open("w", encoding="utf-8", buffering=1) as output,
            contextlib.redirect_stdout(output),
            contextlib.redirect_stderr(output),
        ):
            log.sink = output
            nlp = init_nlp(train_config, use_gpu=gpu_id)
            with _ctrl_c_between_steps(log):
                spacy_train(nlp, staging, use_gpu=gpu_id, stdout=output, stderr=output)
    finally:
        log.sink = None
        _RUN_LOG.reset(token)
        _plain(path)  # also after Ctrl-C: an interrupted run keeps its log


def _plain(path: Path) -> None:
    if path.exists():
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\x1b\[[0-9;]*m", "", text), encoding="utf-8")  # wasabi's colours


def _keep_users_config(config: Config, staging: Path, base: BasePipeline | None) -> None:
    # Users read the committed config, not nerwb's logger chain: keep theirs in the model folders.
    # Not where a component is sourced: spaCy's own copy has the sourced component's config
    # written out, so the model loads without the base pipeline installed.
    for folder in ("model-best", "model-last"):
        if base is None:
            config.to_disk(staging / folder / "config.cfg")
        else:
            saved = Config().from_disk(staging / folder / "config.cfg", interpolate=False)
            saved["training"]["logger"] = config["training"]["logger"]
            saved.to_disk(staging / folder / "config.cfg")


def train_gold_names(path: Path) -> TrainGoldNames:
    """The manifest's record of the training data's gold names: the sorted normalised names
    themselves (so the split needs no training file later), their count and fingerprint."""
    names = gold_entity_names(path)
    return TrainGoldNames(
        normalisation="casefold, whitespace runs as one space",
        count=len(names),
        sha256=names_sha256(names),
        names=sorted(names),
    )


def conversion_facts(report: Path, train_sha256: str) -> ConversionFacts | None:
    """What ``labels convert`` did to the training data: its policies and span counts, when
    ``report`` (its conversion report) says it wrote a train file of ``train_sha256``; None for
    data it did not write (another file, a report from another conversion, or none)."""
    if not report.is_file():
        return None
    try:
        record = ConversionRecord.load(report)
    except NerwbError:
        return None  # a broken report tells nothing about this data; `labels convert` rewrites it
    if record.files.get("train") != train_sha256:
        return None
    return ConversionFacts(
        report=str(report),
        on_misaligned=record.on_misaligned,
        on_overlap=record.on_overlap,
        **{k: record.totals_of(k) for k in ("spans_in", "written", "changed", "skipped")},
    )


def _manifest(
    ws: Workspace,
    *,
    config: Config,
    config_path: Path,
    overrides: dict[str, Any],
    base: BasePipeline | None,
    data: dict[str, DataSummary],
    started: datetime,
    seconds: float,
    log: _StepLog,
    gpu_id: int,
    performance: dict[str, Any],
    notes: list[str],
    status: RunStatus,
) -> TrainingManifest:
    config_text = config.to_str()
    return TrainingManifest(
        status=status,
        nerwb_version=__version__,
        spacy_version=spacy.__version__,
        python=platform.python_version(),
        config_file=str(config_path),
        config_sha256=hashlib.sha256(config_text.encode()).hexdigest(),
        overrides={k: v for k, v in overrides.items() if not k.startswith("paths.")},
        base_model=base.to_json() if base else None,
        seed=config.interpolate()["training"].get("seed"),
        labels=sorted(data["training"].spans),
        data={"train": data["training"].to_json(), "dev": data["dev"].to_json()},
        conversion=conversion_facts(ws.conversion_report_path, data["training"].sha256),
        # what `nerwb evaluate` splits seen from unseen names by (evaluate/novelty.py)
        train_gold_names=train_gold_names(data["training"].read_from or data["training"].path),
        train_article_ids=sorted(set(data["training"].article_ids)),
        dev_article_ids=sorted(set(data["dev"].article_ids)),
        workspace_git_commit=_git_commit(ws.root),
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(seconds, 2),
        steps=log.steps,
        gpu_id=gpu_id,
        best_dev=DevScores.from_spacy(performance),
        evaluations=log.evaluations,
        notes=notes,
        config=config_text,
    )


def train(
    ws: Workspace, options: TrainOptions, *, on_progress: OnProgress | None = None
) -> TrainResult:
    """Train a pipeline and write ``model-best/``, ``model-last/``, ``manifest.json`` and
    ``train.log`` (spaCy's own output) to ``options.output``.

    ``on_progress`` hears, in this order: a wait for the workspace lock (``WAIT_STAGE``, only
    when another command holds it), the run folder once claimed (``CLAIMED_STAGE``, its path as
    ``item``), then every training step (``StepEvent``, with the dev scores where spaCy
    evaluates).

    Raises:
        TrainingError: a missing config or data file, a bad override, empty training data, a dev
            label unseen in training, test data used for training or selection, or an output
            folder holding another run without ``force`` (or being trained into by another
            run); a base pipeline that is missing or cannot serve; a run that ended without
            its models.
        TrainingInterrupted: Ctrl-C after the first evaluation; the run is kept (status
            interrupted) in the output folder or, with ``force``, beside it.
        WorkspaceBusyError: another command held the workspace lock past ``lock_wait``.

    With ``unique_output`` (``output`` is a name nerwb made up), a name another run has taken
    gets a suffix. The workspace lock is held only while the run folder is claimed and while it
    is published, never during training. The GPU and the output folder were checked when the
    options were made.
    """
    config_path, output, gpu_id = options.config, options.output, options.gpu_id
    overrides = dict(options.overrides)
    lock_wait, base_model = options.lock_wait, options.base_model
    notes: list[str] = []
    train_path, dev_path = resolve_data_paths(
        ws, config_path, overrides, options.train_data, options.dev_data
    )
    # read once: what spaCy trains on and what the manifest records are the same bytes
    read = _DataReadOnce.take(train_path, dev_path)
    try:
        data = _check_data(ws, read)
        base = resolve_base_pipeline(ws, config_path, overrides, base_model)
        overrides.update({"paths.train": str(train_path), "paths.dev": str(dev_path)})
        config = load_training_config(config_path, overrides)
        _short_run_eval(config, notes)
        with workspace_lock(ws, "train", wait=lock_wait, on_wait=on_progress):
            swept = sweep_stale_staging(output.parent)
            output, staging = prepare_output(
                output, force=options.force, unique=options.unique_output
            )
        # one step event: the folder this run writes into (with a suffix where it was taken)
        emit(on_progress, ProgressEvent(CLAIMED_STAGE, 1, None, STEP, item=str(output)))
        if swept:
            notes.append(
                f"removed {len(swept)} unfinished run folder(s) left by interrupted runs in "
                f"{output.parent}: {', '.join(swept[:3])}{' ...' if len(swept) > 3 else ''}"
            )
        if gpu_id >= 0:
            from thinc.api import require_gpu

            require_gpu(gpu_id)
        started = datetime.now(UTC)
        clock = time.perf_counter()
        log = _StepLog(on_progress)
        status = STATUS_FINISHED
        try:
            _run_spacy(config, staging, gpu_id, log, read)
        except KeyboardInterrupt:
            # spaCy saved model-best at each better evaluation and model-last on its way out;
            # an hour of training is kept. Before the first evaluation after step 0 (spaCy scores
            # the untrained pipeline too) there is nothing worth keeping.
            trained = any(e["step"] > 0 for e in log.evaluations)
            if not trained or not (staging / "model-best" / "meta.json").exists():
                shutil.rmtree(staging, ignore_errors=True)
                raise
            status = STATUS_INTERRUPTED
        except BaseException:  # an unfinished staging folder is never a run
            shutil.rmtree(staging, ignore_errors=True)
            raise
        seconds = time.perf_counter() - clock
        _check_models(staging, status)
        # spaCy's own file, not a record; json, not spacy.util.load_meta: srsly's parser rounds
        # floats (0.6 comes back as 0.6000000000000001), which would reach the manifest
        meta = json.loads((staging / "model-best" / "meta.json").read_text(encoding="utf-8"))
        performance = meta.get("performance", {})
        _keep_users_config(config, staging, base)
        manifest = _manifest(
            ws,
            config=config,
            config_path=config_path,
            overrides=overrides,
            base=base,
            data=data,
            started=started,
            seconds=seconds,
            log=log,
            gpu_id=gpu_id,
            performance=performance,
            notes=notes,
            status=status,
        )
        manifest.save(manifest_path(staging))
        (staging / OWNER_FILE).unlink(missing_ok=True)
        with workspace_lock(ws, "train", wait=lock_wait, on_wait=on_progress):
            if output.exists() and status == STATUS_INTERRUPTED:
                # an interrupted run never replaces a finished one (--force): kept beside it
                output = _free_sibling(output, "interrupted")
            elif output.exists():
                shutil.rmtree(output)  # only reached with force, after the new run succeeded
            os.replace(staging, output)
        best = float(performance.get("ents_f") or 0.0)
        result = TrainResult(
            output, best, manifest.best_dev, manifest, seconds, log.steps, log.evaluations, notes
        )
        if status == STATUS_INTERRUPTED:
            raise TrainingInterrupted(result)
        return result
    finally:
        read.remove()


def _check_models(staging: Path, status: RunStatus) -> None:
    """A run is published only with its models: a folder without them is no run.

    Raises:
        TrainingError: model-best or (for a finished run) model-last is missing; the staging
            folder is removed.
    """
    needed = ("model-best", "model-last") if status == STATUS_FINISHED else ("model-best",)
    missing = [m for m in needed if not (staging / m / "meta.json").is_file()]
    if missing:
        shutil.rmtree(staging, ignore_errors=True)
        raise TrainingError(
            f"the run ended without {' and '.join(missing)} in {staging}; nothing was published",
            kind=ErrorKind.RUN_FAILED,
            path=staging,
        )


def _free_sibling(output: Path, tag: str) -> Path:
    candidate, n = output.with_name(f"{output.name}-{tag}"), 1
    while candidate.exists():
        n += 1
        candidate = output.with_name(f"{output.name}-{tag}-{n}")
    return candidate
