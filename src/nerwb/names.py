"""Names that become file or folder names: annotators, adjudicators, project and run names.

One rule for all of them, as strict as Doccano's username rule or stricter, so that a name can
never climb out of its folder (``../gold/gold``), hide (``.x``), nest (``a/b``) or be empty.
Names already on disk are never checked or renamed; only new names given to a command are.
"""

from __future__ import annotations

import re

from nerwb.errors import SETTING, InvalidNameError

MAX_LENGTH = 64
# ASCII letters and digits first, then letters, digits, dot, underscore and hyphen. Doccano
# (Django) also allows @ and +; they are left out here since they mean things in shells and URLs.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
NAME_RULE = (
    f"1 to {MAX_LENGTH} characters: ASCII letters, digits, '.', '_' or '-', "
    "starting with a letter or digit"
)


def check_name(name: str, *, what: str, setting: str | None = None) -> str:
    """``name`` itself when it is safe as a file name; ``what`` says what it names, ``setting``
    (where given) the option it came from, which the message then names instead.

    Raises:
        InvalidNameError: the name breaks the rule; the message states the rule.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > MAX_LENGTH:
        shown = repr(name) if len(str(name)) <= 80 else repr(str(name)[:80]) + "..."
        raise InvalidNameError(
            f"{SETTING if setting else what} {shown} is not allowed: use {NAME_RULE}",
            setting=setting,
            value=name,
        )
    return name
