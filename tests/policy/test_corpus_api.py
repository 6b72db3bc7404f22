"""The API rules on whole configurations: REST APIs defined by OpenAPI bodies in JSON and YAML, an HTTP API
defined by a body, a passthrough integration, a caller-supplied DescribeExecution route, integrations without
a role, data tracing. Each configuration in corpus_api/*.yaml lists EXACTLY the findings every SG-API rule
reports on it (notes that a rule could not evaluate included); each file has a compliant twin that must stay
clean. checkov, running the shipped checks, fails exactly the engine's findings of the single-resource API
rules on every configuration, and its HCL scan reads jsonencode() bodies (corpus_api/hcl) the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from snippets import build_plan

from stepgate.checkov import failed_records, record_address
from stepgate.findings import Finding, Severity
from stepgate.plan import load_plan
from stepgate.policies import directory
from stepgate.rules import RULES, run_engine

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).parent / "corpus_api"
FILES = sorted(CORPUS.glob("*.yaml"))
HOSTED_API = sorted(rule.id for rule in RULES if rule.evaluate is not None and rule.id.startswith("SG-API-"))


def configurations() -> list[Any]:
    return [pytest.param(path.stem, item, id=f"{path.stem}:{item['name']}")
            for path in FILES for item in yaml.safe_load(path.read_text())["configurations"]]


def plan_document(configuration: dict[str, Any]) -> dict[str, Any]:
    return build_plan(configuration["resources"], configuration.get("module_calls"))


def api_findings(configuration: dict[str, Any]) -> list[Finding]:
    return [f for f in run_engine(load_plan(plan_document(configuration))) if f.rule_id.startswith("SG-API-")]


def test_the_corpus_has_every_shape_and_a_compliant_twin_for_each() -> None:
    assert {p.stem for p in FILES} >= {"rest-body-json", "rest-body-yaml", "http-body", "passthrough", "describe-execution",
                                       "no-credentials", "data-trace"}
    for path in FILES:
        items = yaml.safe_load(path.read_text())["configurations"]
        assert any(item["expect"] for item in items) and any(item["expect"] == [] for item in items), path.name


@pytest.mark.parametrize(("corpus", "configuration"), configurations())
def test_api_rules_report_exactly_the_expected_findings(corpus: str, configuration: dict[str, Any]) -> None:
    found = sorted((f.rule_id, f.address, f.message) for f in api_findings(configuration))
    expected = sorted((item["rule"], item["address"], item["message"]) for item in configuration["expect"] or [])
    assert found == expected


@pytest.mark.parametrize(("corpus", "configuration"), configurations())
def test_checkov_fails_exactly_the_engine_findings_of_the_single_resource_api_rules(corpus: str, configuration: dict[str, Any]) -> None:
    engine = sorted((f.rule_id, f.address, f.message) for f in api_findings(configuration)
                    if f.rule_id in HOSTED_API and f.severity > Severity.INFO)
    records = failed_records(plan_document=plan_document(configuration), external_dir=directory(), checks=HOSTED_API)
    assert sorted((r.check_id, record_address(r.resource), detail) for r in records for detail in r.details) == engine


def test_checkov_hcl_scan_reads_jsonencode_bodies_and_leaves_file_bodies_unknown() -> None:
    records = failed_records(hcl_dir=CORPUS / "hcl", external_dir=directory(), checks=HOSTED_API)
    assert sorted((r.check_id, r.resource) for r in records) == [
        ("SG-API-001", "aws_api_gateway_rest_api.open"),
        ("SG-API-006", "aws_api_gateway_rest_api.open"),
        ("SG-API-008", "aws_api_gateway_rest_api.open"),
        ("SG-API-008", "aws_apigatewayv2_api.http"),
    ]
    details = {(r.check_id, r.resource): r.details for r in records}
    assert details[("SG-API-008", "aws_apigatewayv2_api.http")] == [
        "POST /jobs: the request parameter StateMachineArn is mapped from the request ($request.body.stateMachineArn), so a caller "
        "can start any state machine the integration role may start; map StateMachineArn to the state machine's ARN"]
