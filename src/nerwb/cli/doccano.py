"""``nerwb doccano``: placeholder until the Doccano stage lands."""

import typer

from nerwb.cli._common import NerwbGroup

doccano_app = typer.Typer(cls=NerwbGroup, help="Run and talk to Doccano.", no_args_is_help=True)
