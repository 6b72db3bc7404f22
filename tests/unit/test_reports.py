from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from stepgate.findings import Finding, Location, Severity
from stepgate.report import WRITERS, sort_findings

pytestmark = pytest.mark.unit

FINDINGS = sort_findings([
    Finding("SG-WF-005", Severity.LOW, "Task states catch errors", "aws_sfn_state_machine.a", "Task states without Catch: Send"),
    Finding("SG-IAM-001", Severity.HIGH, "No wildcard actions", 'module.x.aws_iam_role_policy.p["k"]', "allows wildcard actions states:*"),
    Finding("SG-API-001", Severity.HIGH, "Authorization", "aws_api_gateway_method.health", "fails", source="checkov", suppressed="public health check"),
])


def test_sorted_most_severe_first() -> None:
    assert [f.rule_id for f in FINDINGS] == ["SG-API-001", "SG-IAM-001", "SG-WF-005"]


def test_json() -> None:
    document = json.loads(WRITERS["json"](FINDINGS))
    assert document["summary"] == {"findings": 2, "suppressed": 1, "by_severity": {"high": 1, "low": 1}}
    assert document["findings"][0]["suppressed"] == "public health check"
    assert document["findings"][1]["address"] == 'module.x.aws_iam_role_policy.p["k"]'


def test_junit() -> None:
    suite = ET.fromstring(WRITERS["junit"](FINDINGS)).find("testsuite")
    assert suite.get("failures") == "2" and suite.get("skipped") == "1"
    cases = suite.findall("testcase")
    assert cases[0].find("skipped").get("message") == "suppressed: public health check"
    assert "states:*" in cases[1].find("failure").text


def test_junit_without_findings_is_one_passing_case() -> None:
    suite = ET.fromstring(WRITERS["junit"]([])).find("testsuite")
    assert suite.get("failures") == "0" and len(suite.findall("testcase")) == 1


def test_sarif() -> None:
    document = json.loads(WRITERS["sarif"](FINDINGS))
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["SG-API-001", "SG-IAM-001", "SG-WF-005"]
    suppressed, wildcard, catch = run["results"]
    assert suppressed["suppressions"] == [{"kind": "external", "justification": "public health check"}]
    assert wildcard["level"] == "error" and catch["level"] == "note"
    assert wildcard["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == 'module.x.aws_iam_role_policy.p["k"]'
    assert run["results"][1]["ruleIndex"] == 1


def test_table_lists_active_and_suppressed() -> None:
    text = WRITERS["table"](FINDINGS)
    assert "2 finding(s)" in text and "SG-IAM-001" in text and "states:*" in text
    assert "1 suppressed finding(s)" in text and "public health check" in text


def test_table_without_findings() -> None:
    assert "no findings" in WRITERS["table"]([])


LOCATED = Finding("SG-IAM-002", Severity.HIGH, "No Resource *", "aws_iam_role_policy.widened", "allows sqs:SendMessage on Resource \"*\"",
                  location=Location("infra/extra.tf", 12))


def test_every_format_carries_file_and_line() -> None:
    sarif = json.loads(WRITERS["sarif"]([LOCATED]))["runs"][0]["results"][0]["locations"][0]
    assert sarif["physicalLocation"] == {"artifactLocation": {"uri": "infra/extra.tf", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 12}}
    assert sarif["logicalLocations"] == [{"fullyQualifiedName": "aws_iam_role_policy.widened", "kind": "resource"}]
    (case,) = ET.fromstring(WRITERS["junit"]([LOCATED])).find("testsuite").findall("testcase")
    assert (case.get("file"), case.get("line")) == ("infra/extra.tf", "12") and " at infra/extra.tf:12: " in case.find("failure").text
    finding = json.loads(WRITERS["json"]([LOCATED]))["findings"][0]
    assert (finding["file"], finding["line"]) == ("infra/extra.tf", 12)
    assert "infra/extra.tf:12" in WRITERS["table"]([LOCATED])


def test_sarif_without_a_location_keeps_only_the_logical_one() -> None:
    result = json.loads(WRITERS["sarif"](FINDINGS))["runs"][0]["results"][1]
    assert set(result["locations"][0]) == {"logicalLocations"}
