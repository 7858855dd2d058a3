"""The base layer: what every feature stands on, importing nothing above it.

The database and its models, the clock, the audit log, pseudonyms and small-group rules,
configuration, the background-job runner and the results cache, mail, CSV and XLSX reading,
access rules, login sessions, security headers, languages, error pages and the views' commit
step. Features (``dialogue.<feature>``) and the round kinds (``rounds``) build on it; the
contracts in ``setup.cfg`` (``make lint``) keep it from importing them.
"""
