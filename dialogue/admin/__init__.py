"""Administration of a dialogue's participants: import, invitations, reminders."""


def init_app(app) -> None:
    """Register the ``admin`` blueprint and the admin's commands."""
    from dialogue.admin import cli, views

    app.register_blueprint(views.bp)
    for command in (
        cli.create_dialogue_command,
        cli.add_staff_command,
        cli.import_participants_command,
        cli.tick_command,
    ):
        app.cli.add_command(command)
