"""The consultant's workbench: run the theme analysis of a round and edit its themes."""


def init_app(app) -> None:
    """Register the blueprint and the commands that need the app (``dialogue.workbench.cli``).

    ``dialogue themes`` needs no app: ``dialogue.cli`` adds it before any app is loaded.
    """
    from dialogue.workbench.cli.themes import analyse_command, embed_command
    from dialogue.workbench.cli.worker import embed_worker_command
    from dialogue.workbench.views import blueprint, rounds, themes

    del rounds, themes  # their routes are registered on ``blueprint.bp`` when imported
    app.register_blueprint(blueprint.bp)
    for command in (analyse_command, embed_command, embed_worker_command):
        app.cli.add_command(command)
