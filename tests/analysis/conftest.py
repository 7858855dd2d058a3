from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def staff_texts() -> list[str]:
    """Thirty Danish staff contributions on three themes: stress, IT systems and leadership."""
    return (DATA / "staff_da.txt").read_text(encoding="utf-8").splitlines()
