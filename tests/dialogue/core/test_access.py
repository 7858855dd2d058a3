"""Every route has an explicit role policy, enforced on the server (TARGETS S1, S2).

The table below is the policy. A route without an entry fails the test: new routes are denied
by default until someone decides who may use them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import url_for

from dialogue.auth.services.logins import issue_login_link
from dialogue.core.db import Session
from dialogue.core.models import (
    CoverageMark,
    FollowUpReview,
    Job,
    MemberCheck,
    Membership,
    QuestionType,
    Role,
    RoundKind,
    Theme,
)
from dialogue.core.models.followup import ReviewPeriod
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.core.models.proposal import CoverageStatus, ProposalKind
from dialogue.core.models.sends import ReminderSchedule
from dialogue.followup.services import add_initiative
from dialogue.synthesis.services.proposals import add_source, create_proposal, finalise_proposal
from rounds.questions.setup import QuestionSpec, add_question
from tests.conftest import csrf_from
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login

ROLES = ("anonymous", "participant", "outsider", "consultant", "management", "admin")

OK, LOGIN, FORBIDDEN, MISSING = "ok", "login", 403, 404

#: Who gets what on GET. "ok" is 200 (or a redirect that is not to the login page).
GET_POLICY = {
    "web.index": dict.fromkeys(ROLES, OK),
    "web.accessibility": dict.fromkeys(ROLES, OK),
    "web.healthz": dict.fromkeys(ROLES, OK),
    "auth.login": dict.fromkeys(ROLES, OK),
    "auth.request_link": dict.fromkeys(ROLES, OK),
    "web.home": {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], OK),
    "web.dialogue_home": {"anonymous": LOGIN, "participant": OK, "outsider": MISSING}
    | dict.fromkeys(("consultant", "management", "admin"), OK),
    "participate.round_page": {"anonymous": LOGIN, "participant": OK, "outsider": MISSING}
    | dict.fromkeys(("consultant", "management", "admin"), FORBIDDEN),
    "participate.my_input": {"anonymous": LOGIN, "participant": OK, "outsider": MISSING}
    | dict.fromkeys(("consultant", "management", "admin"), FORBIDDEN),
    "participate.edit": {"anonymous": LOGIN, "participant": OK, "outsider": MISSING}
    | dict.fromkeys(("consultant", "management", "admin"), FORBIDDEN),
    "staff.round_overview": {"anonymous": LOGIN, "participant": FORBIDDEN, "outsider": MISSING}
    | dict.fromkeys(("consultant", "management", "admin"), OK),
    "admin.participants": {"anonymous": LOGIN, "participant": FORBIDDEN, "outsider": MISSING}
    | {"consultant": FORBIDDEN, "management": FORBIDDEN, "admin": OK},
    "staff.contributions": {
        "anonymous": LOGIN,
        "participant": FORBIDDEN,
        "outsider": MISSING,
        "consultant": OK,
        "management": FORBIDDEN,
        "admin": FORBIDDEN,
    },
}

ADMIN_ONLY = {"anonymous": LOGIN, "participant": FORBIDDEN, "outsider": MISSING} | {
    "consultant": FORBIDDEN,
    "management": FORBIDDEN,
    "admin": OK,
}

#: The consultant's workbench: the dialogue's consultant only (theme analysis and edits).
CONSULTANT_ONLY = {"anonymous": LOGIN, "participant": FORBIDDEN, "outsider": MISSING} | {
    "consultant": OK,
    "management": FORBIDDEN,
    "admin": FORBIDDEN,
}
WORKBENCH_GET = ("index", "round_page", "unassigned", "theme_page")
WORKBENCH_POST = (
    "run",
    "undo",
    "create_theme",
    "merge",
    "move",
    "edit_theme",
    "accept_theme",
    "split_theme",
    "hide",
)
GET_POLICY |= {f"workbench.{name}": CONSULTANT_ONLY for name in WORKBENCH_GET}

#: Routes that only take POST, with who may use them. Checked for CSRF and roles.
POST_POLICY = {
    "web.set_language": dict.fromkeys(ROLES, OK),
    "auth.logout": {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], OK),
    "participate.add": {"anonymous": LOGIN, "participant": OK, "outsider": MISSING}
    | dict.fromkeys(("consultant", "management", "admin"), FORBIDDEN),
    "admin.import_participants": ADMIN_ONLY,
    "admin.send_invitations": ADMIN_ONLY,
    "admin.send_reminders": ADMIN_ONLY,
    "admin.add_schedule": ADMIN_ONLY,
    "admin.remove_schedule": ADMIN_ONLY,
    "participate.withdraw": {"anonymous": LOGIN, "participant": OK, "outsider": MISSING}
    | dict.fromkeys(("consultant", "management", "admin"), FORBIDDEN),
}
POST_POLICY |= {f"workbench.{name}": CONSULTANT_ONLY for name in WORKBENCH_POST}

#: Routes that accept both; their GET is in GET_POLICY, their POST is checked for CSRF only.
GET_AND_POST = {"auth.login", "auth.link", "auth.request_link", "participate.edit"}
#: Routes whose URL carries a secret, tested on their own (tests/dialogue/auth/views/test_login.py).
TESTED_ELSEWHERE = {"auth.link", "static"}
#: Sign-in through the OpenID provider: 404 unless configured (auth/services/test_oidc.py), and the
#: flows against a real provider in tests/browser/test_oidc.py.
TESTED_ELSEWHERE |= {"auth.oidc_staff", "auth.oidc_participant", "auth.oidc_callback"}
#: Open dialogues: the world's dialogue is not open, so its join page is missing for everyone;
#: the mailed link to join carries a secret (tests/dialogue/auth/services/test_joining.py). The
#: admin's page for how participants sign in.
GET_POLICY |= {
    "auth.join": dict.fromkeys(ROLES, MISSING),
    "admin.sign_in_settings": ADMIN_ONLY,
}
GET_AND_POST |= {"auth.join", "admin.sign_in_settings"}
TESTED_ELSEWHERE |= {"auth.confirm_join"}

# --- rounds engine (results, rounds_admin) ---
RESULTS_GET = {"anonymous": LOGIN, "participant": MISSING, "outsider": MISSING} | dict.fromkeys(
    ("consultant", "management", "admin"), OK
)  # the world's round is open and unpublished: participants get 404
PUBLISHERS_POST = {"anonymous": LOGIN, "participant": FORBIDDEN, "outsider": MISSING} | {
    "consultant": OK,
    "management": FORBIDDEN,
    "admin": OK,
}
GET_POLICY |= {
    "results.round_results": RESULTS_GET,
    "rounds_admin.round_list": ADMIN_ONLY,
    "rounds_admin.create": ADMIN_ONLY,
    "rounds_admin.edit": ADMIN_ONLY,
}
POST_POLICY |= {
    "results.publish": PUBLISHERS_POST,
    "results.unpublish": PUBLISHERS_POST,
    "rounds_admin.move": ADMIN_ONLY,
    "rounds_admin.repeat": ADMIN_ONLY,
    "rounds_admin.take_items": ADMIN_ONLY,
}
GET_AND_POST |= {"rounds_admin.create", "rounds_admin.edit"}
# Extra questions: admins set them up; participants answer them on the round's page.
GET_POLICY |= {
    "rounds_admin.round_questions": ADMIN_ONLY,
    "rounds_admin.edit_question": ADMIN_ONLY,
}
POST_POLICY |= {
    "rounds_admin.move_question": ADMIN_ONLY,  # before the admin's delete removes the question
    "rounds_admin.delete_question": ADMIN_ONLY,
    "participate.answer_questions": POST_POLICY["participate.add"],
}
GET_AND_POST |= {"rounds_admin.round_questions", "rounds_admin.edit_question"}

# --- synthesis and traceability (proposals, coverage, exports, public values) ---
#: Management and the consultant draft proposals and read coverage, the report and exports.
SYNTHESIS = {"anonymous": LOGIN, "participant": FORBIDDEN, "outsider": MISSING} | {
    "consultant": OK,
    "management": OK,
    "admin": FORBIDDEN,
}
EVERY_MEMBER = {"anonymous": LOGIN, "outsider": MISSING} | dict.fromkeys(
    ("participant", "consultant", "management", "admin"), OK
)
GET_POLICY |= {
    "synthesis.proposals": SYNTHESIS,
    "synthesis.new_proposal": SYNTHESIS,
    "synthesis.proposal": SYNTHESIS,
    "synthesis.finalise": SYNTHESIS,  # the page that says what making it final does
    "synthesis.reopen": SYNTHESIS,
    "synthesis.coverage_page": SYNTHESIS,
    "synthesis.report": SYNTHESIS,
    "synthesis.value": EVERY_MEMBER,  # the world's proposal is final
    "synthesis.strategy_map": EVERY_MEMBER,
    "participate.trace": GET_POLICY["participate.my_input"],
    # The world's dialogue is not public: its public pages do not exist, for anyone.
    "public.values": dict.fromkeys(ROLES, MISSING),
    "public.value": dict.fromkeys(ROLES, MISSING),
    "public.dialogue_page": dict.fromkeys(ROLES, MISSING),
}
POST_POLICY |= {
    f"synthesis.{name}": SYNTHESIS
    for name in (
        "revise",
        "add_source",
        "remove_source",
        "publish",
        "finalise",
        "reopen",
        "drop",
        "feed_round",
        "export",
    )
}
POST_POLICY |= {"synthesis.mark_theme": CONSULTANT_ONLY, "synthesis.mark_text": CONSULTANT_ONLY}
#: A group of uncovered texts: raw text and its decision, for the consultant only (A6).
GET_POLICY |= {"synthesis.coverage_group": CONSULTANT_ONLY}
POST_POLICY |= {"synthesis.mark_group": CONSULTANT_ONLY}
GET_AND_POST |= {"synthesis.new_proposal", "synthesis.finalise", "synthesis.reopen"}

# --- the second factor of staff logins: only useful half-way through one; anyone else is sent on
SECOND_FACTOR = {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], OK)
GET_POLICY |= {"auth.second_factor": SECOND_FACTOR, "auth.enrol_second_factor": SECOND_FACTOR}
GET_AND_POST |= {"auth.second_factor", "auth.enrol_second_factor"}

# --- accounts: disable, enable, end sessions, reset two-factor (the dialogue's admin only)
GET_POLICY |= {"accounts.accounts_page": ADMIN_ONLY}
# The confirmation pages before invitations and reminders are sent.
GET_POLICY |= {"admin.confirm_invitations": ADMIN_ONLY, "admin.confirm_reminders": ADMIN_ONLY}
POST_POLICY |= {"accounts.account_action": ADMIN_ONLY}

# --- closing the loop: member checks (participant answers, consultant deals) and follow-up ---
GET_POLICY |= {
    "membercheck.overview": CONSULTANT_ONLY,
    "followup.overview": EVERY_MEMBER,
    "followup.commitments": SYNTHESIS,
    "followup.review": SYNTHESIS,
    "followup.past_review": SYNTHESIS,
}
# Answered before participate.withdraw deletes the world's contribution (dicts keep order).
POST_POLICY = {"participate.check_answer": GET_POLICY["participate.my_input"]} | POST_POLICY
POST_POLICY |= {
    "membercheck.deal": CONSULTANT_ONLY,
    "membercheck.rename_theme": CONSULTANT_ONLY,
    "followup.add_initiative": SYNTHESIS,
    "followup.add_note": SYNTHESIS,
    "followup.track_factor": SYNTHESIS,
    "followup.record_review": SYNTHESIS,
    # The world's value has one commitment: too few authors for management to read its text
    # (A6), so management cannot promote it either; the consultant can.
    "followup.promote": SYNTHESIS | {"management": MISSING},
}

# --- background jobs: progress of an analysis run (consultant) and of a large import (admin) ---
GET_POLICY |= {"workbench.job_status": CONSULTANT_ONLY, "admin.job_status": ADMIN_ONLY}

# --- privacy: the notice (the world's dialogue is not public: members only), the admin's
# settings, and a participant's own data (erasing is a form: its POST is checked for CSRF) ---
GET_POLICY |= {
    "privacy.notice": {"anonymous": LOGIN, "outsider": MISSING}
    | dict.fromkeys(("participant", "consultant", "management", "admin"), OK),
    "privacy.settings": ADMIN_ONLY,
    # The notice before a participant's first page: staff are sent straight on.
    "privacy.go_on": EVERY_MEMBER,
    "participate.my_input_download": GET_POLICY["participate.my_input"],
    "participate.erase": GET_POLICY["participate.my_input"],
}
GET_AND_POST |= {"privacy.settings", "privacy.go_on", "participate.erase"}

# --- identifying details: the consultant reviews and redacts them ---
GET_POLICY |= {"identifying.review": CONSULTANT_ONLY}
POST_POLICY |= {"identifying.redact_span": CONSULTANT_ONLY}


@dataclass
class World:
    """One dialogue with a member in every role, and a participant of another dialogue."""

    members: dict
    values: dict


@pytest.fixture
def world(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    # Before any input, which would lock them: one to answer, and one in a round without input
    # for the admin's routes to change.
    spec = QuestionSpec(QuestionType.SINGLE, "Ja?", "Yes?", options=[("Ja", "Yes"), ("Nej", "No")])
    add_question(round_, spec, actor_id=None)
    question = add_question(make_round(dialogue), spec, actor_id=None)
    members = {
        "participant": make_member(dialogue, department="IT", role_group="Medarbejder"),
        "outsider": make_member(make_dialogue()),
        "consultant": make_member(dialogue, Role.CONSULTANT),
        "management": make_member(dialogue, Role.MANAGEMENT),
        "admin": make_member(dialogue, Role.ADMIN),
    }
    contribution = make_contribution(round_, members["participant"], "Min egen tekst")
    theme = Theme(round_id=round_.id, label="Et tema")  # for the workbench's theme pages
    Session.add(theme)
    Session.flush()
    proposal = create_proposal(dialogue, kind=ProposalKind.VALUE, title="En værdi", actor_id=None)
    source = add_source(proposal, theme=theme, actor_id=None)  # for the synthesis pages
    finalise_proposal(proposal, title="En værdi", text="", note="", actor_id=None)
    action = make_round(dialogue, RoundKind.ACTION)
    commitment = make_contribution(action, members["participant"], "Jeg vil dele viden")
    commitment.target = proposal.item_key
    Session.add(MemberCheck(contribution_id=contribution.id, answer=CheckAnswer.NO))
    factor = Theme(round_id=round_.id, label="En kritisk faktor")  # not cleared by mark_theme
    Session.add(factor)
    Session.flush()
    mark = CoverageMark(
        dialogue_id=dialogue.id, theme_id=factor.id, status=CoverageStatus.FOLLOW_UP
    )
    review = FollowUpReview(
        dialogue_id=dialogue.id,
        period=ReviewPeriod.QUARTER,
        since=dt.date(2026, 1, 1),
        held_on=dt.date(2026, 4, 1),
    )
    Session.add_all([mark, review])
    Session.flush()
    item = add_initiative(
        proposal, title="Et initiativ", owner_unit="IT", actor_id=None, day=dt.date(2026, 1, 2)
    )
    analysis_job = Job(id="a" * 32, kind="analysis", key=f"round:{round_.id}")
    import_job = Job(id="b" * 32, kind="import", key=f"dialogue:{dialogue.id}")
    Session.add_all([analysis_job, import_job])  # for the job status routes
    schedule = ReminderSchedule(round_id=round_.id, hours_before_close=48)
    Session.add(schedule)
    Session.flush()
    values = {
        "job_id": analysis_job.id,
        "import_job_id": import_job.id,
        "theme_id": theme.id,
        "schedule_id": schedule.id,
        "proposal_id": proposal.id,
        "source_id": source.id,
        "name": "dialogue.json",
        "slug": dialogue.slug,
        "round_id": round_.id,
        "question_id": question.id,
        "part": "",  # the round's one part: the workbench's plain addresses
        "contribution_id": contribution.id,
        "span_id": 0,  # no such span: the consultant is told it is no longer flagged
        "token": "not-a-real-token",
        "filename": "style.css",
        "lang": "en",
        "membership_id": members["participant"].id,
        "action": "end-sessions",
        "commitment_id": commitment.id,
        "item_id": item.id,
        "mark_id": mark.id,
        "review_id": review.id,
        "fmt": "json",
    }
    return World(members, values)


def log_in(client, world, role):
    if role == "anonymous":
        return
    membership = world.members[role]
    if membership.role.is_staff:
        assert staff_login(client, membership.person.email, STAFF_PASSWORD).status_code == 302
        return
    # Requests end their session, so fetch the membership afresh before changing it.
    membership = Session.get(Membership, membership.id)
    token = issue_login_link(membership, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302


def url_for_rule(app, rule, values):
    with app.test_request_context():
        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def outcome(response):
    if response.status_code in (301, 302, 303):
        return LOGIN if "/login" in response.headers["Location"] else OK
    if response.status_code == 200:
        return OK
    return response.status_code


def test_every_route_has_a_policy(app):
    known = set(GET_POLICY) | set(POST_POLICY) | GET_AND_POST | TESTED_ELSEWHERE
    missing = {rule.endpoint for rule in app.url_map.iter_rules()} - known
    assert missing == set(), "add these endpoints to the policy tables"


@pytest.mark.parametrize("role", ROLES)
def test_get_routes_follow_the_policy(app, client, world, role):
    log_in(client, world, role)
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in GET_POLICY:
            continue
        url = url_for_rule(app, rule, world.values)
        assert outcome(client.get(url)) == GET_POLICY[rule.endpoint][role], (rule.endpoint, role)


@pytest.mark.parametrize("role", ROLES)
def test_post_routes_follow_the_policy(app, client, world, role):
    log_in(client, world, role)
    csrf = csrf_from(client.get("/"))
    for endpoint, policy in POST_POLICY.items():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = url_for_rule(app, rule, world.values)
        data = {"csrf_token": csrf, "language": "da", "body": "Tekst", "nonce": "n"}
        got = outcome(client.post(url, data=data))
        expected = policy[role]
        # A permitted POST may still be refused for its content (422); never by role.
        assert got == expected or (expected == OK and got == 422), (endpoint, role, got)
        if endpoint == "auth.logout" and got == OK:
            log_in(client, world, role)
            csrf = csrf_from(client.get("/"))


def test_every_state_changing_route_refuses_a_missing_or_forged_csrf_token(app, client, world):
    log_in(client, world, "participant")
    other = app.test_client()
    foreign_token = csrf_from(other.get("/"))
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in TESTED_ELSEWHERE:
            continue
        url = url_for_rule(app, rule, world.values)
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": foreign_token}):
            response = client.post(url, data={**data, "body": "x", "language": "en"})
            assert response.status_code == 400, (rule.endpoint, data)


def test_no_get_route_changes_the_database(app, client, world):
    from sqlalchemy import func, select

    from dialogue.core.db import Base

    def snapshot():
        return {
            name: Session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }

    log_in(client, world, "participant")
    before = snapshot()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in TESTED_ELSEWHERE:
            client.get(url_for_rule(app, rule, world.values))
    assert snapshot() == before
