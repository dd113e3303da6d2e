"""Augur: computer-use-agent SDKs stream runs in with a DSN; viewers read them back with a login.

One module per resource: ``tenants`` (tenants and users), ``sessions`` (login, impersonation),
``dsns`` (ingest credentials), ``runs`` (manifest, trace, steps), ``events``, ``bundle``
(screenshots, model I/O, logs in the blob store), ``connections`` (heartbeats),
``diagnostics`` (rules computed over a run) and ``export`` (a run as one archive).
"""
