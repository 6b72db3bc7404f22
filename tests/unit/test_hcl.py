"""stepgate.hcl: HCL expressions evaluated where some values are only known after apply (data/hcl/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from stepgate.hcl.evaluate import MARKER, Evaluation, EvaluationProblem, Unknown, evaluate_source
from stepgate.hcl.syntax import SyntaxProblem, parse_file

DATA = Path(__file__).parent / "data" / "hcl"
CASES = yaml.safe_load((DATA / "expressions.yaml").read_text())["cases"]


class _Resource:
    def __init__(self, address: str) -> None:
        self.address = address

    def attribute(self, name: str) -> Any:
        if name in ("arn", "url", "id"):
            return Unknown(f"{self.address}.{name}")
        return f"{self.address.rsplit('.', 1)[-1]}-{name}"

    def index(self, key: Any) -> Any:
        raise EvaluationProblem(f"no instance {key}")


class _Scope:
    root_directory = DATA

    def named(self, root: str, name: str) -> Any:
        values = {("var", "region"): "eu-west-1", ("var", "names"): ["a", "b"], ("local", "tags"): {"team": "payments"}}
        if (root, name) not in values:
            raise EvaluationProblem(f"{root}.{name} is not in this scope")
        return values[(root, name)]

    def resource(self, kind: str, name: str) -> Any:
        return _Resource(f"{kind}.{name}")


def _shown(value: Any, evaluation: Evaluation) -> Any:
    if isinstance(value, Unknown):
        return f"<{value.why}>"
    if isinstance(value, str):
        return MARKER.sub(lambda m: f"<{evaluation.unknowns[int(m.group(1))].why}>", value)
    if isinstance(value, list):
        return [_shown(v, evaluation) for v in value]
    if isinstance(value, dict):
        return {k: _shown(v, evaluation) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CASES, ids=[c["expression"][:60] for c in CASES])
def test_expression(case: dict[str, Any]) -> None:
    evaluation = Evaluation()
    if "problem" in case:
        with pytest.raises(EvaluationProblem) as raised:
            evaluate_source(case["expression"], _Scope(), evaluation)
        assert str(raised.value) == case["problem"].replace("DATA", str(DATA))
        return
    assert _shown(evaluate_source(case["expression"], _Scope(), evaluation), evaluation) == case["value"]


def test_a_file_is_read_into_blocks_and_attribute_sources() -> None:
    body = parse_file('''
# comment with "quote" and { brace
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id // trailing
  policy = jsonencode({
    Statement = [{ Resource = "${aws_sqs_queue.q.arn}/*" }]
  })
  /* block
     comment */
  dynamic "x" {
    for_each = var.names
    content { y = x.value }
  }
}
locals {
  text = <<EOT
not } a { brace
EOT
}
''')
    assert [(b.kind, b.labels) for b in body.blocks] == [("resource", ("aws_iam_role_policy", "p")), ("locals", ())]
    policy = body.blocks[0].body
    assert policy.attributes == {"role": "aws_iam_role.r.id",
                                 "policy": 'jsonencode({\n    Statement = [{ Resource = "${aws_sqs_queue.q.arn}/*" }]\n  })'}
    assert [(b.kind, b.labels, b.body.attributes) for b in policy.blocks] == [("dynamic", ("x",), {"for_each": "var.names"})]
    assert body.blocks[1].body.attributes == {"text": "<<EOT\nnot } a { brace\nEOT"}


def test_a_file_that_is_no_hcl_is_a_syntax_problem() -> None:
    with pytest.raises(SyntaxProblem, match="unclosed block"):
        parse_file('resource "a" "b" {\n  x = 1\n')
