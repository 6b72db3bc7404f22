"""The pytest plugin as a user's CI test sees it (it is loaded through the `stepgate` pytest11 entry point)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepgate.pytest_plugin import assert_compliant

pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"


def test_three_line_user_test(stepgate_plan) -> None:
    assert_compliant(stepgate_plan(DATA / "compliant_plan.json"), min_severity="low")


def test_failure_message_lists_each_finding(stepgate_plan) -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_compliant(stepgate_plan(DATA / "shared_role_plan.json"), min_severity="high")
    message = str(failure.value)
    assert "at or above HIGH" in message
    assert "SG-IAM-005 module.step_function.aws_iam_role.this[0]: trust policy names 2 service principals" in message
    assert "SG-IAM-006" not in message  # medium: below the threshold


def test_fixture_turns_bad_input_into_a_failure(stepgate_plan, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{")
    with pytest.raises(pytest.fail.Exception, match="stepgate could not plan .*not valid JSON"):
        stepgate_plan(tmp_path / "p.json")


def test_assert_helper_fixture_and_plan_path(stepgate_assert_compliant) -> None:
    stepgate_assert_compliant(DATA / "compliant_plan.json")


def test_inline_suppressions_of_the_source_directory_apply(tmp_path: Path) -> None:
    """shared_role_plan.json's high findings, each suppressed with a reason where its resource is written."""
    ignores = {
        "step_function": [
            ("aws_sfn_state_machine", "this", "SG-AUD-001 audited by the account-wide trail"),
            ("aws_iam_policy", "service", "SG-IAM-001, SG-IAM-002 sandbox account, replaced before production"),
            ("aws_iam_role", "this", "SG-IAM-005, SG-IAM-007, SG-IAM-008 shared role, split tracked in OPS-12"),
        ],
        "api_gateway": [("aws_apigatewayv2_route", "this", "SG-API-001 public webhook, every body is HMAC-verified")],
    }
    (tmp_path / "main.tf").write_text("".join(f'module "{module}" {{\n  source = "./modules/{module}"\n}}\n' for module in ignores))
    for module, blocks in ignores.items():
        (tmp_path / "modules" / module).mkdir(parents=True)
        text = "".join(f'resource "{rtype}" "{name}" {{\n  # stepgate:ignore {ignore}\n}}\n' for rtype, name, ignore in blocks)
        (tmp_path / "modules" / module / "main.tf").write_text(text)
    with pytest.raises(pytest.fail.Exception, match="SG-IAM-005"):
        assert_compliant(DATA / "shared_role_plan.json", min_severity="high")
    assert_compliant(DATA / "shared_role_plan.json", min_severity="high", source_dir=tmp_path)


def test_bad_severity_is_a_failure_not_an_error() -> None:
    with pytest.raises(pytest.fail.Exception, match="unknown severity 'urgent'"):
        assert_compliant(DATA / "compliant_plan.json", min_severity="urgent")
