"""The demo: ``dialogue demo`` and ``dialogue generate``, and the steps that build them."""


def init_app(app) -> None:
    """Register the demo's commands (``dialogue.demo.cli``)."""
    from dialogue.demo.cli import demo_command, generate_command

    for command in (demo_command, generate_command):
        app.cli.add_command(command)
