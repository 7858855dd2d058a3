"""Coverage, "why this value?", my input, exports and the public page, as their users see them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dialogue.auth.services.logins import issue_login_link
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Contribution, Dialogue, Membership
from dialogue.core.models.proposal import CoverageStatus, Perspective, ProposalKind
from dialogue.synthesis.cli import export_command
from dialogue.synthesis.queries import export_files, exports
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.traces import value_trace
from dialogue.synthesis.services.coverage import mark_coverage
from dialogue.synthesis.services.proposals import add_source, create_proposal, finalise_proposal
from rounds.traceability import load_graph
from tests.conftest import csrf_from
from tests.factories import STAFF_PASSWORD
from tests.logins import staff_login
from tests.rounds.factories import author_of


def _final(case, title="Trivsel", theme="big", perspective=Perspective.EMPLOYEES):
    proposal = create_proposal(
        case.dialogue,
        kind=ProposalKind.VALUE,
        title=title,
        perspective=perspective,
        actor_id=None,
    )
    add_source(proposal, theme=case.themes[theme], note="Kernen", actor_id=None)
    finalise_proposal(proposal, title=title, text="Vi passer på hinanden.", note="", actor_id=None)
    return proposal


def test_coverage_figures_on_a_hand_built_example(case, request_context):
    _final(case)
    draft = create_proposal(
        case.dialogue, kind=ProposalKind.VALUE, title="Parkering", actor_id=None
    )
    add_source(draft, theme=case.themes["small"], actor_id=None)  # a draft reaches nothing
    result = coverage(load_graph(case.dialogue), case.dialogue)
    # 13 texts: 10 in the big theme reach a final value; 2 small + 1 lonely do not.
    assert (result.contributions, result.reached_contributions) == (13, 10)
    assert (result.participants, result.reached_participants) == (12, 9)
    assert result.share_contributions == pytest.approx(10 / 13)
    assert [t.label for t in result.themes] == ["Parkering"]
    assert result.themes[0].participants is None  # 2 authors: below the group size
    assert [t.text for t in result.texts] == ["Ensom udfordring"]


def test_coverage_marks_are_kept_and_a_left_out_needs_a_reason(case, request_context):
    from rounds.errors import RoundError

    small = case.themes["small"]
    with pytest.raises(RoundError):
        mark_coverage(
            case.dialogue, theme_id=small.id, status=CoverageStatus.LEFT_OUT, actor_id=None
        )
    mark_coverage(
        case.dialogue,
        theme_id=small.id,
        status=CoverageStatus.LEFT_OUT,
        reason="Uden for opgaven",
        actor_id=None,
    )
    result = coverage(load_graph(case.dialogue), case.dialogue)
    marks = {t.id: t.mark for t in result.themes}
    assert marks[small.id].status is CoverageStatus.LEFT_OUT
    assert marks[case.themes["big"].id] is None


def test_why_this_value_counts_and_quotes_only_from_large_themes(case, request_context):
    big = _final(case)
    small = _final(case, "Parkering", theme="small", perspective=None)
    graph = load_graph(case.dialogue)
    trace = value_trace(graph, graph.proposals[big.id], case.dialogue)
    assert (trace.contributions, trace.participants) == (10, 9)
    assert trace.themes[0].quotes  # 9 distinct authors ≥ 8
    hidden = case.texts["big"][0]
    quoted = value_trace(graph, graph.proposals[big.id], case.dialogue).themes[0].quotes[0]
    assert quoted == hidden.body
    hidden.moderation = hidden.moderation.HIDDEN
    Session.flush()
    again = value_trace(load_graph(case.dialogue), graph.proposals[big.id], case.dialogue)
    assert hidden.body not in again.themes[0].quotes
    lonely = value_trace(graph, graph.proposals[small.id], case.dialogue)
    assert (lonely.contributions, lonely.participants, lonely.themes[0].quotes) == (None, None, [])


def _participant_login(client, membership):
    membership = Session.get(Membership, membership.id)
    token = issue_login_link(membership, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302


def test_my_input_shows_my_path_and_never_another_participants(case, client):
    _final(case)
    mine, theirs = case.texts["lonely"][0], case.texts["big"][1]
    _participant_login(client, case.people[0])
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert "Stor udfordring 0" in page
    assert "Endnu en stor udfordring" in page
    assert "Arbejdsmiljø" in page
    assert "Trivsel" in page
    assert "Stor udfordring 1" not in page
    assert mine.body not in page
    assert client.get(f"/d/{case.dialogue.slug}/my-input/{theirs.id}").status_code == 404
    own = client.get(f"/d/{case.dialogue.slug}/my-input/{case.texts['big'][0].id}")
    assert own.status_code == 200


def test_my_input_says_honestly_when_nothing_reached_a_value(case, client):
    _final(case)
    _participant_login(client, case.people[11])
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert "Ensom udfordring" in page
    assert "har ikke nået en endelig værdi" in page


def test_public_value_page_only_for_public_dialogues_and_final_values(case, client):
    value = _final(case)
    draft = create_proposal(case.dialogue, kind=ProposalKind.VALUE, title="Kladde", actor_id=None)
    slug = case.dialogue.slug
    page = client.get(f"/p/{slug}/values/{value.id}")
    assert page.status_code == 200
    assert "Arbejdsmiljø" in page.get_data(as_text=True)
    assert "Trivsel" in client.get(f"/p/{slug}/values/").get_data(as_text=True)
    assert client.get(f"/p/{slug}/values/{draft.id}").status_code == 404
    Session.get(Dialogue, case.dialogue.id).is_public = False
    assert client.get(f"/p/{slug}/values/{value.id}").status_code == 404


def _identities(case):
    secrets = []
    for membership in [*case.people, case.consultant, case.management]:
        person = Session.get(Membership, membership.id).person
        secrets += [person.email, person.name]
    secrets += [author_of(m) for m in case.people]
    return secrets


@pytest.mark.parametrize("raw_text", [True, False])
def test_exports_hold_no_identities_and_text_only_for_the_consultant(
    case, request_context, raw_text
):
    _final(case)
    data = exports.build_export(case.dialogue, raw_text=raw_text)
    files = [
        export_files.to_json(data).decode(),
        export_files.to_csv(export_files.tables(data)["proposals"]).decode(),
    ]
    files += [export_files.to_csv(rows).decode() for rows in export_files.tables(data).values()]
    workbook = load_workbook(io.BytesIO(export_files.to_xlsx(data)))
    files.append(" ".join(str(c.value) for s in workbook for row in s.iter_rows() for c in row))
    everything = " ".join(files)
    for secret in _identities(case):
        assert secret not in everything
    assert "created_on" not in everything
    assert "T" not in json.loads(files[0])["generated_on"]
    assert ("Stor udfordring 3" in everything) is raw_text
    assert all(row["theme_ids"] is not None for row in data["contributions"])


def test_spreadsheet_cells_never_become_formulas(case, request_context):
    Session.add(
        Contribution(
            round=case.round_,
            author="x",
            body='=HYPERLINK("evil")',
            created_on=case.round_.opens_at.date(),
        )
    )
    Session.flush()
    data = exports.build_export(case.dialogue, raw_text=True)
    assert "'=HYPERLINK" in export_files.to_csv(export_files.tables(data)["contributions"]).decode()


def test_export_downloads_are_audited_and_managements_carry_no_text(case, client):
    _final(case)
    staff_login(client, Session.get(Membership, case.management.id).person.email, STAFF_PASSWORD)
    csrf = csrf_from(client.get(f"/d/{case.dialogue.slug}/report"))
    response = client.post(
        f"/d/{case.dialogue.slug}/export/dialogue.json", data={"csrf_token": csrf}
    )
    assert response.status_code == 200
    data = json.loads(response.get_data(as_text=True))
    assert data["raw_text"] is False
    assert "text" not in data["contributions"][0]
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.details == {"raw_text": False}
    assert event.subject == "dialogue.json"


def test_export_command_writes_each_format(case, app, tmp_path):
    _final(case)
    runner = app.test_cli_runner()
    for fmt, out in (
        ("json", tmp_path / "d.json"),
        ("xlsx", tmp_path / "d.xlsx"),
        ("csv", tmp_path / "csv"),
    ):
        result = runner.invoke(
            export_command, [case.dialogue.slug, "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "d.json").read_text())["raw_text"] is False
    assert (tmp_path / "csv" / "themes.csv").exists()
    assert runner.invoke(export_command, ["nope", "--out", str(tmp_path / "x")]).exit_code == 1


def test_staff_pages_render(case, client):
    value = _final(case)
    staff_login(client, Session.get(Membership, case.consultant.id).person.email, STAFF_PASSWORD)
    slug = case.dialogue.slug
    for url in (
        f"/d/{slug}/proposals/",
        f"/d/{slug}/proposals/{value.id}",
        f"/d/{slug}/coverage",
        f"/d/{slug}/coverage?sort=label",
        f"/d/{slug}/strategy-map",
        f"/d/{slug}/report",
        f"/d/{slug}/values/{value.id}",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/d/{slug}/coverage").get_data(as_text=True)
    group = f"/d/{slug}/coverage/rounds/{case.round_.id}/texts?part="
    assert group.replace("&", "&amp;") in page  # uncovered texts are read by group
    assert "Ensom udfordring" in client.get(group).get_data(as_text=True)


def test_forms_side_by_side_give_their_fields_ids_of_their_own(case, client):
    """Ids are unique on the proposal page and a theme's page.

    A label points at the first element with its id: the final title's label must not lead to
    the new version's title field.
    """
    draft = create_proposal(case.dialogue, kind=ProposalKind.VALUE, title="Udkast", actor_id=None)
    staff_login(client, Session.get(Membership, case.consultant.id).person.email, STAFF_PASSWORD)
    slug, round_id = case.dialogue.slug, case.round_.id
    theme_id = case.themes["big"].id
    for url in (
        f"/d/{slug}/proposals/{draft.id}",
        f"/d/{slug}/workbench/rounds/{round_id}/themes/{theme_id}",
    ):
        page = client.get(url).get_data(as_text=True)
        ids = [i for i in re.findall(r'\sid="([^"]+)"', page) if i != "csrf_token"]  # hidden
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
    # The final version is written on a page of its own, after being told what that does.
    page = client.get(f"/d/{slug}/proposals/{draft.id}/finalise").get_data(as_text=True)
    assert '<label for="final-title">' in page


def test_why_this_value_never_quotes_the_same_words_twice(case, request_context):
    value = _final(case)
    for text in case.texts["big"][:-1]:
        text.body = "Vi  har for lidt tid."  # written alike by eight people
    Session.flush()
    graph = load_graph(case.dialogue)
    quotes = value_trace(graph, graph.proposals[value.id], case.dialogue).themes[0].quotes
    assert quotes == ["Vi har for lidt tid.", case.texts["big"][-1].body]
