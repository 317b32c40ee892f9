import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports.exports import render
from tests.conftest import make_user


@pytest.mark.parametrize("fixture", ["officer", "commissioner", "director", "admin_user"])
def test_finance_staff_commissioners_and_directors_may_produce_statements(request, year, fixture):
    user = request.getfixturevalue(fixture)
    name, _type, content = render("csv", year="2025/26", user=user, statement="fund")
    assert name.endswith("-fund.csv") and content


def test_a_user_without_a_role_may_not(year):
    with pytest.raises(PermissionDenied, match="Only finance officers, commissioners or finance directors may produce"):
        render("xlsx", year="2025/26", user=make_user("nobody"))


def test_unknown_format_or_statement_is_refused(year, director):
    with pytest.raises(ValidationError, match="Unknown format 'docx'; choose one of xlsx, pdf, csv"):
        render("docx", year="2025/26", user=director)
    with pytest.raises(ValidationError, match="Unknown statement 'budget'; choose from fund, "):
        render("csv", year="2025/26", user=director, statement="budget")
