"""The team's own tests, with nothing but the stepgate pytest plugin's public fixtures."""

from stepgate.pytest_plugin import assert_compliant


def test_infra_is_least_privilege_and_audited(stepgate_plan):
    assert_compliant(stepgate_plan("infra", sandbox=True), min_severity="low")


def test_an_invoice_is_booked(stepgate_deployment):
    live = stepgate_deployment("infra")
    response = live.request("POST", "/invoices", {"invoiceId": "inv-7", "amount": 12.5})
    assert response.status == 200, response.summary()
    execution = live.wait(response.json()["executionArn"])
    assert execution["status"] == "SUCCEEDED"
    assert execution["name"] == response.json()["requestId"]  # every execution names its request
