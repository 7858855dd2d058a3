"""One source of "now", so that rounds open and close by the same clock everywhere."""

import datetime as dt


def utcnow() -> dt.datetime:
    """The current instant, aware and in UTC."""
    return dt.datetime.now(dt.UTC)


def today_utc() -> dt.date:
    """Today's date in UTC: the only time a contribution records."""
    return utcnow().date()
