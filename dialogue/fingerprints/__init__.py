"""Fingerprints of published rounds on the pages, and ``dialogue verify`` on the command line."""


def init_app(app) -> None:
    """Register the command and the template helper that shows a round's fingerprints."""
    from dialogue.fingerprints.cli import verify_command
    from dialogue.fingerprints.jobs import pending
    from rounds.fingerprint import history, latest

    app.cli.add_command(verify_command)
    app.jinja_env.globals["round_fingerprint"] = latest
    app.jinja_env.globals["round_fingerprints"] = history
    app.jinja_env.globals["round_fingerprint_pending"] = pending
