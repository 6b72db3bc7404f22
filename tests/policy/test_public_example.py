"""A configuration in the style of the public terraform-aws-modules HTTP API + Step Functions example.

The engine flags it; the same plan goes through checkov's built-in checks, and the test records which
engine findings checkov has no failing check for on the same resource (what a checkov-only pipeline
would let through).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from snippets import build_plan

from stepgate.checkov import builtin_findings
from stepgate.plan import load_plan
from stepgate.rules import run_engine

pytestmark = pytest.mark.unit

CASE = yaml.safe_load((Path(__file__).parent / "public" / "http_api_shared_role.yaml").read_text())
ROLE = "module.step_function.aws_iam_role.this[0]"
POLICY = 'module.step_function.aws_iam_policy.service["stepfunction"]'
MACHINE = "module.step_function.aws_sfn_state_machine.this[0]"


@pytest.fixture(scope="module")
def plan_document() -> dict:
    return build_plan(CASE["resources"], CASE["module_calls"])


def test_engine_flags_the_shared_wildcard_role(plan_document: dict) -> None:
    found = {(f.rule_id, f.address) for f in run_engine(load_plan(plan_document))}
    assert {
        ("SG-IAM-001", POLICY),  # states:*
        ("SG-IAM-002", POLICY),  # on Resource "*"
        ("SG-IAM-005", ROLE),  # trusted by apigateway and states
        ("SG-IAM-006", ROLE),  # no aws:SourceAccount / aws:SourceArn
        ("SG-IAM-007", ROLE),  # the API may start any state machine with any action
        ("SG-IAM-008", ROLE),  # the workflow (one Pass state) uses none of it
        ("SG-AUD-001", MACHINE),  # no audit rule
    } <= found


def test_findings_checkov_builtin_checks_miss(plan_document: dict) -> None:
    engine = run_engine(load_plan(plan_document))
    checkov_resources = {f.address for f in builtin_findings(plan_document)}
    missed = {(f.rule_id, f.address) for f in engine if f.address not in checkov_resources}
    caught = {(f.rule_id, f.address) for f in engine if f.address in checkov_resources}
    print("\nengine findings checkov's built-in checks miss:", *sorted(missed), sep="\n  ")
    print("engine findings on resources checkov also flags:", *sorted(caught), sep="\n  ")
    # checkov flags the wildcard policy document itself (CKV_AWS_290/355) ...
    assert {("SG-IAM-001", POLICY), ("SG-IAM-002", POLICY)} <= caught
    # ... but nothing about the role being shared, its trust policy, what the API may start, or what the
    # workflow actually needs: those only exist once roles, routes and the ASL are linked.
    assert {("SG-IAM-005", ROLE), ("SG-IAM-006", ROLE), ("SG-IAM-007", ROLE), ("SG-IAM-008", ROLE)} <= missed
