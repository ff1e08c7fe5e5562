"""The workspace: a folder with ``nerwb.toml`` and one sub-folder per stage.

Every command acts on one workspace. Paths to each stage's files live here so that no other
module spells them out.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nerwb.choices import DoccanoDatabase
from nerwb.errors import SETTING, ErrorKind, WorkspaceError
from nerwb.io import atomic_write_text

CONFIG_NAME = "nerwb.toml"
# in the Doccano home (a workspace's .nerwb/doccano/ or a test server's own folder)
DOCCANO_CREDENTIALS = "credentials.json"
_LANGUAGE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def language_problem(code: str) -> str | None:
    """Why spaCy cannot tokenise ``code``, or None when it can.

    spaCy's own languages are found as ``spacy/lang/<code>/`` without importing spaCy (every
    command loads nerwb.toml, and importing spaCy costs a second); any other code is asked of
    ``spacy.util.get_lang_class``, which also knows languages that plugins register.
    """
    if not _LANGUAGE_CODE.match(code):
        return f"language {code!r} is not a language code"
    spec = importlib.util.find_spec("spacy")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "lang" / code / "__init__.py").is_file():
            return None
    from spacy.util import get_lang_class  # only for a code spaCy does not ship

    try:
        get_lang_class(code)
    except Exception:  # spaCy raises ImportError, or a plugin anything: the code is unusable
        return (
            f"language {code!r} is not one spaCy knows (spacy.util.get_lang_class cannot load "
            "it); use a code such as 'en', 'de', 'fr', or 'xx' for multi-language"
        )
    return None


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string, every character that needs it escaped."""
    named = {
        '"': '\\"',
        "\\": "\\\\",
        "\b": "\\b",
        "\t": "\\t",
        "\n": "\\n",
        "\f": "\\f",
        "\r": "\\r",
    }
    out = []
    for ch in value:
        if ch in named:
            out.append(named[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# A run's time in its folder's name: UTC, sorts in time order, valid in a path on every system.
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


def utc_stamp() -> str:
    """Now, as the stamp in a run folder's name."""
    return datetime.now(UTC).strftime(STAMP_FORMAT)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectSettings(_Strict):
    name: str = Field(min_length=1)
    language: str = "en"
    labels: str = "labels/labels.yml"

    @field_validator("language")
    @classmethod
    def _spacy_language(cls, value: str) -> str:
        problem = language_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class SplitRatios(_Strict):
    train: float = Field(0.7, ge=0, le=1)
    dev: float = Field(0.15, ge=0, le=1)
    test: float = Field(0.15, ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitRatios:
        total = self.train + self.dev + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + dev + test must add up to 1, not {total:g}")
        return self


class CorpusSettings(_Strict):
    seed: int = 13
    # Doccano's editor stays responsive and annotators keep context up to a few thousand
    # characters; longer articles are cut at paragraph, then sentence, boundaries.
    segment_length: int = Field(2000, ge=200)
    near_duplicate_threshold: float = Field(0.7, gt=0, le=1)
    split: SplitRatios = SplitRatios()


class DoccanoSettings(_Strict):
    url: str = ""  # empty: the embedded local server of this workspace
    project: str = ""
    port: int = Field(8000, ge=1, le=65535)
    # None: whatever the workspace's server already uses (SQLite for a new one).
    database: DoccanoDatabase | None = None

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(
                "must start with http:// or https:// (or be empty for the local server)"
            )
        return value.rstrip("/")


class TrainingSettings(_Strict):
    config: str = "configs/ner-accuracy.cfg"  # what `nerwb train` uses without --config
    base_model: str = ""  # a spaCy pipeline (name or folder) whose tok2vec the config sources


class WorkspaceConfig(_Strict):
    project: ProjectSettings
    corpus: CorpusSettings = CorpusSettings()
    doccano: DoccanoSettings = DoccanoSettings()
    training: TrainingSettings = TrainingSettings()


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: WorkspaceConfig

    @property
    def language(self) -> str:
        return self.config.project.language

    @property
    def project_name(self) -> str:
        return self.config.doccano.project or self.config.project.name

    def run_folder(self, stage_dir: Path, *name: str, stamped: bool = True) -> Path:
        """Where one run of a stage writes: ``stage_dir/<name parts>-<UTC stamp>`` (the stamp
        alone without a name; the name alone with ``stamped=False``). The stage decides what to
        do when the folder exists already."""
        return stage_dir / "-".join([*name, utc_stamp()] if stamped else name)

    # corpus/
    @property
    def corpus_dir(self) -> Path:
        return self.root / "corpus"

    @property
    def articles_path(self) -> Path:
        return self.corpus_dir / "articles.jsonl"

    @property
    def splits_path(self) -> Path:
        return self.corpus_dir / "splits.json"

    # labels/
    @property
    def labels_dir(self) -> Path:
        return self.root / "labels"

    @property
    def schema_path(self) -> Path:
        return self.root / self.config.project.labels

    @property
    def pulls_dir(self) -> Path:
        return self.labels_dir / "pulls"

    @property
    def imports_dir(self) -> Path:
        return self.labels_dir / "imports"

    @property
    def gold_path(self) -> Path:
        return self.labels_dir / "gold" / "gold.jsonl"

    @property
    def patterns_path(self) -> Path:
        # entity-ruler patterns: built from gold by `nerwb labels patterns`, extended by hand,
        # so kept with labels.yml (committed), not among the generated files
        return self.labels_dir / "patterns.jsonl"

    @property
    def names_path(self) -> Path:
        # known names with label and source (components/names.py); `nerwb init` writes a
        # starter list built from official lists, the user edits it
        return self.labels_dir / "names.csv"

    def docbin_path(self, split: str) -> Path:
        return self.labels_dir / f"{split}.spacy"

    @property
    def problems_path(self) -> Path:
        """``labels audit``: every problem, with context and alternatives."""
        return self.labels_dir / "audit" / "problems.jsonl"

    @property
    def agreement_path(self) -> Path:
        return self.labels_dir / "agreement" / "agreement.json"

    @property
    def disagreements_path(self) -> Path:
        return self.labels_dir / "agreement" / "disagreements.jsonl"

    @property
    def conflicts_path(self) -> Path:
        """``labels merge``: what the strategy could not settle."""
        return self.gold_path.with_name("conflicts.jsonl")

    @property
    def conversion_report_path(self) -> Path:
        return self.labels_dir / "conversion-report.json"

    # configs/, training/, evaluate/
    @property
    def configs_dir(self) -> Path:
        return self.root / "configs"

    @property
    def default_config_path(self) -> Path:
        return self.root / self.config.training.config

    @property
    def training_dir(self) -> Path:
        return self.root / "training"

    @property
    def evaluate_dir(self) -> Path:
        return self.root / "evaluate"

    # .nerwb/: this machine's state, never committed
    @property
    def state_dir(self) -> Path:
        return self.root / ".nerwb"

    @property
    def lock_path(self) -> Path:
        """The workspace lock (nerwb.lock): an empty file, made once, never removed."""
        return self.state_dir / "workspace.lock"

    @property
    def lock_holder_path(self) -> Path:
        """Who holds the workspace lock: command, pid, host, since (while it is held)."""
        return self.state_dir / "workspace.lock.json"

    @property
    def doccano_home(self) -> Path:
        return self.state_dir / "doccano"

    @property
    def doccano_credentials_path(self) -> Path:
        """The Doccano admin's URL, user name and password (mode 0600), written by ``up``."""
        return self.doccano_home / DOCCANO_CREDENTIALS

    @property
    def push_ledger_path(self) -> Path:
        """Which segments each Doccano project holds, and the segment length they were cut at."""
        return self.state_dir / "push-ledger.json"

    @property
    def suggestions_path(self) -> Path:
        """The suggestion ledger: what was offered to whom, by which model."""
        return self.state_dir / "suggestions.json"

    @property
    def selections_dir(self) -> Path:
        """``nerwb select``: ranked lists of the segments to label next."""
        return self.state_dir / "selections"

    @property
    def assignments_path(self) -> Path:
        """The assignment plan: segment id -> annotators."""
        return self.doccano_home / "assignments.json"

    @property
    def annotator_passwords_path(self) -> Path:
        """Passwords of the annotator accounts nerwb created (mode 0600)."""
        return self.doccano_home / "annotators.json"


def load_config(path: Path) -> WorkspaceConfig:
    try:
        # utf-8-sig: Windows editors (Notepad) start a UTF-8 file with a byte order mark, which
        # TOML does not allow; every other file nerwb reads accepts it, so this one does too
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as err:
        raise WorkspaceError(f"{path}: not valid TOML ({err})") from None
    except UnicodeDecodeError:
        raise WorkspaceError(f"{path}: not valid UTF-8") from None
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in err.errors()
        )
        raise WorkspaceError(f"{path}: invalid setting: {problems}") from None


def find_workspace(start: Path | None = None) -> Workspace:
    """The workspace holding ``start`` (or the current folder), looking upwards as git does.

    Raises:
        WorkspaceError: ``start`` does not exist, no ``nerwb.toml`` in the folder or any parent,
            or it is invalid.
    """
    if start is not None and not Path(start).is_dir():
        problem = "is not a folder" if Path(start).exists() else "does not exist"
        raise WorkspaceError(f"workspace folder {start} {problem}")
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return Workspace(folder, load_config(candidate))
    raise WorkspaceError(
        f"{here} is not inside a nerwb workspace (no {CONFIG_NAME} here or above)",
        kind=ErrorKind.NO_WORKSPACE,
        path=here,
    )


def _resource(name: str) -> str:
    return resources.files("nerwb.resources").joinpath(name).read_text(encoding="utf-8")


# What a workspace generates, relative to its root: data of this machine, models and reports.
# The workspace .gitignore (and the repository's own) is made from this list.
GENERATED_PATHS = (
    ".nerwb/",
    "labels/audit/",
    "labels/agreement/",
    "labels/conversion-report.json",
    "labels/*.spacy",
    "training/",
    "evaluate/",
)
# The team's work, versioned in a workspace (a pull snapshot cannot be pulled again once the
# server is gone; gold holds adjudicated decisions): ignored only in nerwb's own repository.
TEAM_WORK_PATHS = ("labels/pulls/", "labels/imports/", "labels/gold/")
WORKSPACE_GITIGNORE = (
    "# Generated by nerwb: data on this machine, models and reports. labels/pulls, imports and\n"
    "# gold are the team's annotations: they are versioned (see the README, Sharing a workspace).\n"
    + "".join(f"/{path}\n" for path in GENERATED_PATHS)
)


PRETRAINED_CONFIG = "configs/ner-pretrained.cfg"


def _ignore_pattern(line: str) -> str:
    # "/training/", "training/", "training" and "/training" all keep training/ out of git
    return line.strip().strip("/")


def update_gitignore(path: Path) -> list[str]:
    """Write the workspace ``.gitignore``, or append to the user's own the generated paths it
    lacks (above all ``.nerwb/``, where annotator passwords live). Returns the entries added to
    an existing file; nothing else in it changes.
    """
    if not path.exists():
        atomic_write_text(path, WORKSPACE_GITIGNORE)
        return []
    text = path.read_text(encoding="utf-8")
    present = {_ignore_pattern(line) for line in text.splitlines() if line.strip()}
    missing = [p for p in GENERATED_PATHS if _ignore_pattern(p) not in present]
    if missing:
        block = "# nerwb workspace: data on this machine (annotator passwords), models, reports\n"
        block += "".join(f"/{p}\n" for p in missing)
        # appended in place: the user's file keeps its mode, and a symlink stays a symlink
        with path.open("a", encoding="utf-8") as fh:
            fh.write(("\n" if text and not text.endswith("\n") else "") + block)
    return missing


def init_workspace(
    root: Path,
    *,
    name: str | None = None,
    language: str = "en",
    base_model: str | None = None,
    schema_text: str | None = None,
    notes: list[str] | None = None,
) -> Workspace:
    """Create a workspace in ``root`` with the conflict-news label schema (or ``schema_text``,
    the labels.yml to write) and the configs; with ``base_model``, training defaults to
    ``ner-pretrained.cfg`` on that pipeline. What it did to files already there (a ``.gitignore``
    it added entries to) goes into ``notes``.

    Raises:
        WorkspaceError: ``root`` already holds a workspace or is not a folder, or the language
            is not one spaCy knows.
    """
    root = root.resolve()
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} is a file, not a folder; name a new or existing folder")
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"{root / CONFIG_NAME} already exists; not overwriting it")
    problem = language_problem(language)
    if problem:
        raise WorkspaceError(
            f"{SETTING}: {problem}", kind=ErrorKind.BAD_SETTING, setting="language"
        )
    name = name or root.name
    # each value through the escaper, not into quotes by string formatting: a name with
    # quotes or backslashes must not break (or inject into) the file
    toml = _resource("nerwb.toml.template").format(
        name=toml_string(name),
        language=toml_string(language),
        config=toml_string(PRETRAINED_CONFIG if base_model else TrainingSettings().config),
        base_model=toml_string(base_model or ""),
    )
    try:
        config = WorkspaceConfig.model_validate(tomllib.loads(toml))
    except ValidationError as err:  # an empty --name, say
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise WorkspaceError(f"cannot make {root / CONFIG_NAME}: {problems}") from None
    if config.project.name != name:  # the escaper is wrong: never write a file that misreads
        raise WorkspaceError(f"cannot write project name {name!r} to {CONFIG_NAME}")
    for folder in ("corpus", "labels", "configs", "training", "evaluate"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    # the starter names list belongs to the conflict-news labels: not with a schema of --labels
    starters = {"labels/names.csv": "names.csv"} if schema_text is None else {}
    for target, text in (
        ("labels/labels.yml", _resource("labels.yml") if schema_text is None else schema_text),
        ("labels/GUIDELINES.md", _resource("GUIDELINES.md")),
        *((t, _resource(source)) for t, source in starters.items()),
    ):
        if not (root / target).exists():
            atomic_write_text(root / target, text)
    for cfg in resources.files("nerwb.resources.configs").iterdir():
        if cfg.name.endswith(".cfg") and not (root / "configs" / cfg.name).exists():
            atomic_write_text(root / "configs" / cfg.name, cfg.read_text(encoding="utf-8"))
    added = update_gitignore(root / ".gitignore")
    if added and notes is not None:
        notes.append(
            f"added {', '.join(added)} to the existing {root / '.gitignore'} (.nerwb/ holds "
            "annotator passwords; the rest are models, reports and this machine's data)"
        )
    atomic_write_text(root / CONFIG_NAME, toml)
    ws = Workspace(root, config)
    # made now, so that the first writing command adds no file (flock needs one to lock)
    ws.lock_path.parent.mkdir(exist_ok=True)
    ws.lock_path.touch()
    return ws
