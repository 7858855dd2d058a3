"""Command-line theme analysis: of a round in the database, or of a column of any CSV/XLSX file.

``analyse_command`` (``dialogue analyse ROUND_ID``) runs the same operation as the workbench's
button and commits once at the end. ``themes_command`` (``dialogue themes INPUT ...``) needs no
database: it writes the JSON file documented in ``docs/themes-json.md``. ``embed_command``
(``dialogue embed``) computes the stored sentence embeddings of imported or generated material
in bulk. Each prints one clear line and exits with status 1 when the input cannot be used.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from tqdm import tqdm

from analysis import EmbeddingUnavailable, default_method, themes_report
from dialogue.core.tabular.reading import TableError, read_table_file

#: From this many texts on, a progress bar is shown on standard error.
LARGE_INPUT = 10_000
#: At most this many skipped rows are listed by number.
SHOWN_SKIPPED = 10


METHOD_OPTION = click.option(
    "--method",
    type=click.Choice(["tfidf", "semantic"]),
    help=(
        "Group by TF-IDF terms, or by multilingual sentence embeddings (the semantic extra). "
        "Default: semantic where the extra is installed, for up to 2,000 texts; else tfidf."
    ),
)


class ProgressBar:
    """A progress callback for the analysis that draws one tqdm bar (texts read, then stages)."""

    def __init__(self, n_texts: int, *, enabled: bool) -> None:
        self.bar = tqdm(
            total=n_texts, unit="texts", desc="vectorise", file=sys.stderr, disable=not enabled
        )
        self.stage = "vectorise"

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Advance the bar through the texts; the other stages only change its description."""
        if stage in ("vectorise", "embed"):
            if stage != self.stage:
                self.stage = stage
                self.bar.reset(total)
                self.bar.set_description(stage)
            self.bar.update(done - self.bar.n)
        else:
            self.bar.set_description(stage)

    def close(self) -> None:
        """Finish the bar."""
        self.bar.close()


def _fail(command: str, message) -> None:
    click.echo(f"dialogue {command}: {message}", err=True)
    sys.exit(1)


@click.command("themes")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", required=True, help="Header of the column holding the texts.")
@click.option(
    "--language", type=click.Choice(["auto", "da", "en"]), default="auto", show_default=True
)
@click.option("--themes", "n_themes", type=click.IntRange(min=1), help="Number of themes.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--min-group-size",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Smallest theme, and fewest rows a label word must occur in.",
)
@METHOD_OPTION
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
def themes_command(
    input_path, text_column, language, n_themes, seed, min_group_size, method, out_path
):
    """Find the themes in one text column of a CSV or XLSX file and write them as JSON."""
    try:
        texts = read_table_file(input_path).column(text_column)
    except TableError as exc:
        _fail("themes", exc.message)
    if not texts:
        _fail("themes", "the file has a header but no rows below it")
    progress = ProgressBar(len(texts), enabled=len(texts) >= LARGE_INPUT)
    method = method or default_method(len(texts))
    try:
        report = themes_report(
            texts,
            language=language,
            n_themes=n_themes,
            seed=seed,
            min_group_size=min_group_size,
            method=method,
            progress=progress,
        )
    except ValueError as exc:
        _fail("themes", f"column “{text_column}”: {exc}")
    finally:
        progress.close()
    report["parameters"]["text_column"] = text_column
    try:
        Path(out_path).write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    except OSError as exc:
        _fail("themes", f"cannot write {out_path}: {exc.strerror}")
    click.echo(_summary(report, out_path))
    _say_fallback(report["parameters"])


def _say_fallback(parameters: dict) -> None:
    """One line on standard error when the semantic method was asked for and could not run."""
    if parameters.get("fallback"):
        click.echo(
            f"note: the semantic method is unavailable ({_REASONS[parameters['fallback']]}); "
            "TF-IDF was used",
            err=True,
        )


_REASONS = {
    "missing": "the semantic extra is not installed: pip install -e '.[semantic]'",
    "failed": "its model could not be loaded",
}


def _summary(report: dict, out_path: str) -> str:
    skipped = report["skipped"]
    line = (
        f"{len(report['themes'])} themes, {len(report['unassigned'])} unassigned "
        f"of {report['parameters']['n_rows']} rows; written to {out_path}"
    )
    if skipped:
        shown = ", ".join(map(str, skipped[:SHOWN_SKIPPED]))
        more = ", …" if len(skipped) > SHOWN_SKIPPED else ""
        line += f"\nskipped {len(skipped)} empty cells (row indices {shown}{more})"
    return line


@click.command("analyse")
@click.argument("round_id", type=int)
@click.option("--themes", "n_themes", type=click.IntRange(min=1), help="Number of themes.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--part",
    default="",
    help="Which part of the round: strength or weakness (culture), a draft value's item key "
    "(consultation); none for the other rounds.",
)
@METHOD_OPTION
@with_appcontext
def analyse_command(round_id, n_themes, seed, part, method):
    """Run the theme analysis of round ROUND_ID, keeping its themes and the consultant's edits."""
    from sqlalchemy import func, select

    from dialogue.core.db import Session
    from dialogue.core.models import Contribution, Round
    from rounds.errors import RoundError
    from rounds.theme_run.running import run_analysis

    round_ = Session.get(Round, round_id)
    if round_ is None:
        _fail("analyse", f"there is no round {round_id}")
    n_texts = Session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.round_id == round_id)
    )
    progress = ProgressBar(n_texts, enabled=n_texts >= LARGE_INPUT)
    method = method or default_method(n_texts)
    try:
        run = run_analysis(
            round_,
            part=part,
            n_themes=n_themes,
            seed=seed,
            method=method,
            embedding_threads=current_app.config["DIALOGUE_EMBEDDING_THREADS"],
            progress=progress,
        )
    except RoundError as exc:
        with force_locale(round_.dialogue.language):  # no visitor: the dialogue's language
            _fail("analyse", exc.message)
    finally:
        progress.close()
    Session.commit()
    quality = run.quality
    click.echo(
        f"run {run.id} of round {round_id} ({run.method}): {quality['n_themes']} themes, "
        f"{quality['n_unassigned']} unassigned of {quality['n_documents']} texts"
    )
    _say_fallback(run.parameters)
    for change in run.changes:
        click.echo(f"  {change['kind']:>9}  {change['label']}  ({change['size']})")


@click.command("embed")
@click.option("--round", "round_id", type=int, help="Only this round (default: every round).")
@with_appcontext
def embed_command(round_id):
    """Compute the missing sentence embeddings, for the semantic analysis method."""
    from dialogue.core.db import Session
    from dialogue.core.models import Round
    from rounds.embeddings import embed_pending, pending

    if round_id is not None and Session.get(Round, round_id) is None:
        _fail("embed", f"there is no round {round_id}")
    try:
        n_pending = len(pending(round_id))
    except EmbeddingUnavailable as exc:
        _fail("embed", f"{exc}")
    progress = ProgressBar(n_pending, enabled=n_pending > 0)
    try:
        count = embed_pending(
            round_id,
            threads=current_app.config["DIALOGUE_EMBEDDING_THREADS"],
            commit=Session.commit,
            progress=progress,
        )
    except EmbeddingUnavailable as exc:
        _fail("embed", f"{exc}")
    finally:
        progress.close()
    click.echo(f"{count} texts embedded")
