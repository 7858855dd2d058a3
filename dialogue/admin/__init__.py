"""Administration of a dialogue's participants: import, invitations, reminders."""


def init_app(app) -> None:
    """Register the ``admin`` blueprint and the admin's commands."""
    from dialogue.admin import cli
    from dialogue.admin.views import blueprint, participants, sends, sign_in

    del participants, sends, sign_in  # their routes are registered on ``blueprint.bp``
    app.register_blueprint(blueprint.bp)
    for command in (
        cli.create_dialogue_command,
        cli.add_staff_command,
        cli.import_participants_command,
        cli.tick_command,
    ):
        app.cli.add_command(command)
