"""stepgate.plan.sourced: attributes only known after apply evaluated from the HCL of data/sourced/.

The plan below is what tofu gives for that directory (trimmed to what the evaluation reads): the queues'
ARNs and both policies are only known after apply. The policy built by a `for` over a local map, with
each.key/each.value, a for_each module (its output from the caller's each.value) and a variable default,
is evaluated to statements whose resources are the symbols of the queues; a function stepgate does not
evaluate leaves the policy unknown, saying so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stepgate.plan import load_plan
from stepgate.plan.iam.arns import describe
from stepgate.plan.iam.documents import policy_document
from stepgate.plan.iam.roles import role_views
from stepgate.source import SourceTree

DATA = Path(__file__).parent / "data" / "sourced"


def _resource(address: str, rtype: str, name: str, values: dict[str, Any], unknown: dict[str, Any], index: Any = None) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "index": index, "values": values,
            "change": {"actions": ["create"], "after": values, "after_unknown": unknown}}


RESOURCES = [
    _resource('aws_sqs_queue.q["jobs"]', "aws_sqs_queue", "q", {"name": "p-jobs"}, {"arn": True, "url": True}, "jobs"),
    _resource('aws_sqs_queue.q["audit"]', "aws_sqs_queue", "q", {"name": "p-audit"}, {"arn": True, "url": True}, "audit"),
    _resource('module.sender["jobs"].aws_sqs_queue.dead', "aws_sqs_queue", "dead", {"name": "p-jobs-dlq"}, {"arn": True}),
    _resource('module.sender["audit"].aws_sqs_queue.dead', "aws_sqs_queue", "dead", {"name": "p-audit-dlq"}, {"arn": True}),
    _resource("aws_iam_policy.send", "aws_iam_policy", "send", {"name": "send"}, {"policy": True}),
    _resource("aws_iam_policy.opaque", "aws_iam_policy", "opaque", {"name": "opaque"}, {"policy": True}),
    _resource("aws_iam_role.sender", "aws_iam_role", "sender",
              {"name": "sender", "assume_role_policy": '{"Statement": []}', "inline_policy": [{"name": "send"}]},
              {"arn": True, "inline_policy": [{"policy": True}]}),
]


@pytest.fixture
def plan() -> Any:
    changes = [{k: v for k, v in r.items() if k != "values"} for r in RESOURCES]
    for change, resource in zip(changes, RESOURCES):
        if resource["address"].startswith("module."):
            change["module_address"] = resource["address"].rsplit(".aws_", 1)[0]
    document = {"format_version": "1.2", "variables": {"prefix": {"value": "p"}}, "resource_changes": changes,
                "configuration": {"root_module": {"module_calls": {"sender": {"source": "./modules/queue", "module": {}}}}}}
    loaded = load_plan(document)
    loaded.sources = SourceTree.of(loaded, DATA)
    return loaded


def test_a_policy_built_by_a_for_over_locals_and_a_for_each_module_is_read_statement_by_statement(plan: Any) -> None:
    document = policy_document(plan, plan.get("aws_iam_policy.send"), "policy")
    assert not document.unknown, document.why
    assert [(s.sid, s.actions, [describe(r) for r in s.resources], list(s.resources)) for s in document.statements] == [
        ("paudit", ("sqs:SendMessage",), ['aws_sqs_queue.q["audit"].arn', 'module.sender["audit"].aws_sqs_queue.dead.arn'],
         ["arn:*:sqs:*:*:p-audit", "arn:*:sqs:*:*:p-audit-dlq"]),
        ("pjobs", ("sqs:SendMessage",), ['aws_sqs_queue.q["jobs"].arn', 'module.sender["jobs"].aws_sqs_queue.dead.arn'],
         ["arn:*:sqs:*:*:p-jobs", "arn:*:sqs:*:*:p-jobs-dlq"]),
    ]


def test_a_function_stepgate_does_not_evaluate_leaves_the_policy_unknown_and_says_which(plan: Any) -> None:
    document = policy_document(plan, plan.get("aws_iam_policy.opaque"), "policy")
    assert (document.unknown, document.why) == (
        True, "aws_iam_policy.opaque.policy is only known after apply; stepgate cannot evaluate its HCL: function cidrhost() is not evaluated")


def test_an_inline_policy_only_known_after_apply_is_read_from_its_block(plan: Any) -> None:
    (document,) = role_views(plan)["aws_iam_role.sender"].policies
    assert [(s.actions, [describe(r) for r in s.resources]) for s in document.statements] == [(("sqs:SendMessage",), ['aws_sqs_queue.q["jobs"].arn'])]


def test_without_the_source_directory_nothing_is_evaluated(plan: Any) -> None:
    plan.sources = None
    assert policy_document(plan, plan.get("aws_iam_policy.send"), "policy").why == "aws_iam_policy.send.policy is only known after apply"
    (inline,) = role_views(plan)["aws_iam_role.sender"].policies
    assert (inline.unknown, inline.why) == (True, "aws_iam_role.sender.inline_policy send is only known after apply")
