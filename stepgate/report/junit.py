"""JUnit XML for CI test tabs: one test case per finding, suppressed ones as skipped with their reason."""

from __future__ import annotations

from collections.abc import Sequence

from stepgate.findings import Finding


def render(findings: Sequence[Finding]) -> str:
    import xml.etree.ElementTree as ET  # only when a JUnit report is written

    failures = sum(1 for f in findings if f.suppressed is None)
    suite = ET.Element("testsuite", name="stepgate", tests=str(max(len(findings), 1)),
                       failures=str(failures), skipped=str(len(findings) - failures), errors="0")
    if not findings:
        ET.SubElement(suite, "testcase", classname="stepgate", name="no findings")
    for f in findings:
        attributes = {"classname": f"stepgate.{f.rule_id}", "name": f.address}
        if f.location is not None:
            attributes.update(file=f.location.file, line=str(f.location.line))
        case = ET.SubElement(suite, "testcase", attributes)
        if f.suppressed is not None:
            ET.SubElement(case, "skipped", message=f"suppressed: {f.suppressed}")
        else:
            failure = ET.SubElement(case, "failure", message=f"{f.title}", type=f.severity.name)
            where = f" at {f.location}" if f.location else ""
            failure.text = f"[{f.severity.name}] {f.rule_id} {f.address}{where}: {f.message} (source: {f.source})"
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
