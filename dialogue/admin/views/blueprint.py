"""The admin's blueprint and what its views share: the upload limit and the participants page.

The blueprint lifts the request size limit for the import alone; ``render_page`` draws the page
every participants form returns to.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from dialogue.admin import forms, jobs, queries
from dialogue.admin.services.participant_file import MAX_IMPORT_BYTES
from dialogue.core import mail
from dialogue.core.access import PER_PAGE
from dialogue.core.errors import render_error
from dialogue.core.jobs.state import latest_job
from dialogue.core.models import Membership

bp = Blueprint("admin", __name__, url_prefix="/d/<slug>/admin")

#: Multipart framing around the file: the form fields and boundaries.
_FORM_OVERHEAD = 64 * 1024


@bp.url_value_preprocessor
def allow_large_uploads(endpoint, _values):
    """Lift the request size limit for the import only.

    Runs before CSRF protection reads the body, which a ``before_request`` hook would not.
    """
    if endpoint == "admin.import_participants":
        request.max_content_length = MAX_IMPORT_BYTES + _FORM_OVERHEAD


@bp.errorhandler(413)
def file_too_large(_exc):
    """A file over the limit: say what the limit is."""
    return render_error(
        413,
        _(
            "The file is larger than %(size)s MB. Split it into smaller files.",
            size=MAX_IMPORT_BYTES // (1024 * 1024),
        ),
    )


def render_page(membership: Membership, status: int = 200, **context):
    """The participants page with fresh forms unless the caller passes a submitted one."""
    dialogue = membership.dialogue
    total = queries.participant_count(dialogue)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    context.setdefault("import_form", forms.ImportForm())
    schedulable = queries.schedulable_rounds(dialogue)
    schedule_forms = {
        round_.id: forms.ScheduleForm(prefix=f"schedule{round_.id}", formdata=None)
        for round_ in schedulable
    }
    schedule_forms.update(context.pop("schedule_forms", {}))
    return render_template(
        "admin/participants.html",
        membership=membership,
        dialogue=dialogue,
        total=total,
        departments=queries.group_counts(dialogue, Membership.department),
        role_groups=queries.group_counts(dialogue, Membership.role_group),
        participants=queries.participant_list(
            dialogue,
            page,
            PER_PAGE,
            after=request.args.get("after", type=int),
            before=request.args.get("before", type=int),
        ),
        page=page,
        pages=pages,
        open_rounds=queries.open_rounds(dialogue),
        schedulable_rounds=schedulable,
        schedules=queries.schedules(dialogue),
        schedule_forms=schedule_forms,
        remove_form=forms.RemoveScheduleForm(),
        send_log=queries.send_log(dialogue),
        send_kinds=forms.SEND_KIND_LABELS,
        import_job=latest_job(jobs.KIND, jobs.job_key(dialogue)),
        import_job_label=jobs.stage_label,
        outbox=mail.outbox_in_use(),
        **context,
    ), status
