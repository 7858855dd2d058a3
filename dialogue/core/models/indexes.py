"""Indexes for large dialogues (100,000 participants, a million contributions).

Declared here, beside the tables they serve rather than inside them, so that one place says
which page each one keeps fast:

- contributions (round_id, author, moderation): distinct authors of a round, counted from the
  index alone (participation, results, suppression).
- people (name, email): the admin's participant list is ordered by name and paged.
- contributions (round_id) where hidden: a round's few hidden contributions, found at once
  (partial, so no other query's plan changes).
- theme_members (theme_id, score) where scored: a theme's best-fitting quotes are the top of
  the index, instead of a sort of every member (partial, likewise).
- theme_members (theme_id, score descending with unscored last, contribution_id): a theme's
  page lists its members best fitting first; without it each page sorted every member
  (330 ms for a theme of 180,000). PostgreSQL only: SQLite cannot say NULLS LAST in an index,
  and the embedded setup holds dialogues too small to need it.
- contributions (round_id, author) where not released: the input waiting for the next batch
  to the staff, counted by author on every submission (partial: normally a handful of rows).
- contributions (target) where set: the answers to one item (a value's commitments on "why
  this value?"), without a scan of every contribution (partial: most have no target).
"""

from sqlalchemy import Index, false

from dialogue.core.models.analysis import ThemeMember
from dialogue.core.models.contribution import Contribution
from dialogue.core.models.person import Person

Index("ix_people_name_email", Person.name, Person.email)
Index(
    "ix_contributions_round_author_moderation",
    Contribution.round_id,
    Contribution.author,
    Contribution.moderation,
)
Index(
    "ix_contributions_hidden",
    Contribution.round_id,
    sqlite_where=Contribution.moderation == "hidden",
    postgresql_where=Contribution.moderation == "hidden",
)
Index(
    "ix_theme_members_theme_score",
    ThemeMember.theme_id,
    ThemeMember.score,
    sqlite_where=ThemeMember.score.is_not(None),
    postgresql_where=ThemeMember.score.is_not(None),
)
Index(
    "ix_theme_members_theme_order",
    ThemeMember.theme_id,
    ThemeMember.score.desc().nulls_last(),
    ThemeMember.contribution_id,
).ddl_if(dialect="postgresql")
Index(
    "ix_contributions_target",
    Contribution.target,
    sqlite_where=Contribution.target.is_not(None),
    postgresql_where=Contribution.target.is_not(None),
)
Index(
    "ix_contributions_waiting",
    Contribution.round_id,
    Contribution.author,
    sqlite_where=Contribution.released == false(),
    postgresql_where=Contribution.released == false(),
)
