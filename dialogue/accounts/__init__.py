"""People's accounts across dialogues: lock out, let in, end logins, reset the second factor.

``services`` holds the operations, ``cli`` the operator's commands (``dialogue disable-user``
and friends) and ``views`` the admin's accounts page, which calls the same services.
"""


def init_app(app) -> None:
    """Register the accounts page's blueprint and the operator's account commands."""
    from dialogue.accounts import cli, views

    app.register_blueprint(views.bp)
    for command in (
        cli.disable_user_command,
        cli.enable_user_command,
        cli.end_sessions_command,
        cli.reset_mfa_command,
        cli.set_password_command,
    ):
        app.cli.add_command(command)
