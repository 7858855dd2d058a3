"""What a data protection officer asks for: the privacy notice, retention and deletion.

The notice is per dialogue (``queries``); the purge after the retention period and the deletion of a
whole dialogue are ``services``, run by ``dialogue purge`` / ``dialogue delete`` and the
``purge`` job; a participant's own download and erasure live on "my input" (``participate``).
"""


def init_app(app) -> None:
    """Register the blueprint, the notice before a dialogue's pages, the commands, the helper."""
    from dialogue.privacy import views
    from dialogue.privacy.cli import delete_command, purge_command
    from dialogue.privacy.queries import notice_paragraphs

    app.register_blueprint(views.bp)
    app.before_request(views.require_notice)
    app.cli.add_command(delete_command)
    app.cli.add_command(purge_command)
    app.jinja_env.globals["privacy_notice"] = notice_paragraphs
