"""Member checking: participants tell whether the condensation of their input is what they meant.

The answer is stored against the contribution, never the person; the consultant sees answers
per theme and deals with the contested ones; the public sees, per final value, how many
contributors confirmed the themes behind it – only from the minimum group size on.
"""


def init_app(app) -> None:
    """Register the blueprint."""
    from dialogue.membercheck import views

    app.register_blueprint(views.bp)
