"""The workspace's own Doccano server as processes on this machine: install, start, stop, status.

``local``: Doccano's web app and import/export worker (``nerwb doccano up/down/status``);
``postgres``: the workspace's PostgreSQL cluster (``up --database postgres``); ``migrate``:
moving its data from SQLite to PostgreSQL. Talking to a server over REST (any server, local or
remote) is ``nerwb.doccano``'s; this package only runs one.
"""
