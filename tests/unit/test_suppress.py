from __future__ import annotations

from pathlib import Path

import pytest

from stepgate.errors import StepgateError
from stepgate.plan import load_plan
from stepgate.findings import Finding, Severity
from stepgate.source import SourceTree
from stepgate.suppress import apply_suppressions, inline_suppressions, load_settings


pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"
ROLE = "module.roles.aws_iam_role.exec"


@pytest.fixture(scope="module")
def plan():
    return load_plan(DATA / "modules_plan.json")


def directory_suppressions(plan, root: Path) -> list:  # type: ignore[no-untyped-def]
    return inline_suppressions(SourceTree.of(plan, root))


def finding(rule_id: str = "SG-IAM-006", address: str = ROLE) -> Finding:
    return Finding(rule_id, Severity.MEDIUM, "t", address, "m")


def write_module(root: Path, text: str) -> None:
    (root / "modules" / "roles").mkdir(parents=True)
    (root / "main.tf").write_text('module "roles" {\n  source = "./modules/roles"\n}\n')
    (root / "modules" / "roles" / "main.tf").write_text(text)


def test_inline_comment_inside_the_block(tmp_path: Path, plan) -> None:
    write_module(tmp_path, 'resource "aws_iam_role" "exec" {\n  # stepgate:ignore SG-IAM-006 legacy role, removed in Q3\n  name = "wf-exec"\n}\n')
    (result,) = apply_suppressions(plan, [finding()], directory_suppressions(plan, tmp_path))
    assert result.suppressed == "legacy role, removed in Q3"


def test_inline_comment_above_the_block_and_other_rules_untouched(tmp_path: Path, plan) -> None:
    write_module(tmp_path, '# stepgate:ignore SG-IAM-006, SG-IAM-005 shared on purpose\nresource "aws_iam_role" "exec" {\n  name = "x"\n}\n')
    results = apply_suppressions(plan, [finding(), finding("SG-IAM-008")], directory_suppressions(plan, tmp_path))
    assert [r.suppressed for r in results] == ["shared on purpose", None]


def test_suppression_without_reason_is_a_finding_and_does_not_suppress(tmp_path: Path, plan) -> None:
    write_module(tmp_path, 'resource "aws_iam_role" "exec" {\n  name = "x" # stepgate:ignore SG-IAM-006\n}\n')
    original, missing_reason = apply_suppressions(plan, [finding()], directory_suppressions(plan, tmp_path))
    assert original.suppressed is None
    assert missing_reason.rule_id == "SG-SUP-001" and "SG-IAM-006" in missing_reason.message
    assert missing_reason.address.endswith("modules/roles/main.tf:2")


def test_config_file(tmp_path: Path, plan) -> None:
    config = tmp_path / "stepgate.yaml"
    config.write_text(
        "min_retention_days: 90\n"
        "suppressions:\n"
        "  - {rule: SG-IAM-006, address: 'module.roles.*', reason: migrated next sprint}\n"
        "  - {rule: SG-IAM-005, address: '*'}\n"
    )
    settings = load_settings(config)
    assert settings.rule_config.min_retention_days == 90
    results = apply_suppressions(plan, [finding(), finding("SG-IAM-005")], settings.suppressions)
    assert results[0].suppressed == "migrated next sprint"
    assert results[1].suppressed is None
    assert results[2].rule_id == "SG-SUP-001"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: [", "not valid YAML"),
        ("- 1\n", "must be a mapping"),
        ("colour: red\n", "unknown keys: colour"),
        ("min_retention_days: -1\n", "positive integer"),
        ("suppressions:\n  - {rule: SG-IAM-001}\n", "needs rule and address"),
    ],
)
def test_bad_config(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(content)
    with pytest.raises(StepgateError, match=message):
        load_settings(config)


def test_checkov_skip_counts_only_inside_its_block(tmp_path: Path, plan) -> None:
    write_module(tmp_path, '#checkov:skip=SG-IAM-006:above the block, where checkov ignores it\n'
                           'resource "aws_iam_role" "exec" {\n  #checkov:skip=CKV_AWS_61,SG-IAM-005:trusted by design\n  name = "x"\n}\n')
    suppressions = directory_suppressions(plan, tmp_path)
    assert sorted(s.rule_id for s in suppressions) == ["CKV_AWS_61", "SG-IAM-005"]
    results = apply_suppressions(plan, [finding(), finding("SG-IAM-005")], suppressions)
    assert [r.suppressed for r in results] == [None, "trusted by design"]


def test_braces_and_hashes_inside_strings_do_not_move_blocks(tmp_path: Path, plan) -> None:
    write_module(tmp_path, 'locals {\n  opening = startswith(var.seg, "{")\n  schema  = "http://json-schema.org/draft-04/schema#"\n'
                           '  doc     = <<-EOT\n    { "open": [\n  EOT\n}\n\n'
                           'resource "aws_iam_role" "exec" {\n  #checkov:skip=SG-IAM-006:kept for the legacy caller\n  name = "x"\n}\n')
    suppressions = directory_suppressions(plan, tmp_path)
    assert [(s.rule_id, s.address) for s in suppressions] == [("SG-IAM-006", "module.roles|aws_iam_role.exec")]
    (result,) = apply_suppressions(plan, [finding()], suppressions)
    assert result.suppressed == "kept for the legacy caller"


def test_unparsable_hcl_is_one_clear_error(tmp_path: Path, plan) -> None:
    write_module(tmp_path, 'resource "aws_iam_role" "exec" {\n  # stepgate:ignore SG-IAM-006 reason\n  name = \n')
    with pytest.raises(StepgateError, match="cannot parse .*modules/roles/main.tf: Unexpected token"):
        directory_suppressions(plan, tmp_path)


def test_findings_get_the_file_and_line_of_their_resource_block(tmp_path: Path, plan) -> None:
    write_module(tmp_path, 'locals {\n  x = 1\n}\n\nresource "aws_iam_role" "exec" {\n  name = "wf-exec"\n}\n')
    located, elsewhere = SourceTree.of(plan, tmp_path).locate(plan, [finding(), finding(address="module.other.aws_x.y")])
    assert str(located.location) == "modules/roles/main.tf:5" and elsewhere.location is None
