"""Augur: computer-use-agent SDKs stream runs in with a DSN; viewers read them back with a login.

One module per resource: ``tenants`` (tenants and users), ``sessions`` (login, impersonation),
``dsns`` (ingest credentials), ``runs`` (manifest, trace, steps), ``events``, ``bundle``
(screenshots, model I/O, logs in the blob store), ``connections`` (heartbeats),
``diagnostics`` (rules computed over a run), ``export`` (a run as one archive), ``records``
(the SDK's further streams: costs, outcomes, side effects …), ``revisions`` (which of two
versions of a step is newer), ``live_sessions`` (the DebugSession of a run still streaming) and
``commands`` (the intervention channel).
"""
