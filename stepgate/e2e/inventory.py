"""What exists in the account, by list calls, so "destroy left nothing behind" is a set difference.

KMS keys are not listed: AWS only schedules them for deletion (7 days at least), so a destroyed key
legitimately still shows up. Their aliases are deleted at once, so customer aliases are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from stepgate.e2e.target import Target
from stepgate.errors import StepgateError


@dataclass(frozen=True)
class Inventory:
    items: frozenset[str]  # "kind:identifier"

    def __sub__(self, other: Inventory) -> set[str]:
        return set(self.items - other.items)


def _paged(client: Any, operation: str, key: str, field: str, **kwargs: Any) -> list[str]:
    pages = client.get_paginator(operation).paginate(**kwargs)
    return [str(item[field]) for page in pages for item in page.get(key, [])]


def _event_buses(client: Any) -> list[str]:
    """Custom event buses (ListEventBuses has no paginator); the account's default bus is always there."""
    names, token = [], None
    while True:
        page = client.list_event_buses(**({"NextToken": token} if token else {}))
        names += [str(bus["Name"]) for bus in page.get("EventBuses", []) if bus["Name"] != "default"]
        token = page.get("NextToken")
        if not token:
            return names


def _listers(target: Target) -> dict[str, Callable[[Any], list[str]]]:
    listers: dict[str, Callable[[Any], list[str]]] = {
        "stepfunctions": lambda c: _paged(c, "list_state_machines", "stateMachines", "stateMachineArn"),
        "apigateway": lambda c: _paged(c, "get_rest_apis", "items", "id"),
        "logs": lambda c: _paged(c, "describe_log_groups", "logGroups", "logGroupName"),
        "iam": lambda c: _paged(c, "list_roles", "Roles", "RoleName") + _paged(c, "list_policies", "Policies", "Arn", Scope="Local"),
        "events": lambda c: _paged(c, "list_rules", "Rules", "Name") + [f"bus/{name}" for name in _event_buses(c)],
        "sqs": lambda c: list(c.list_queues().get("QueueUrls", [])),
        "sns": lambda c: _paged(c, "list_topics", "Topics", "TopicArn"),
        "kms": lambda c: [name for name in _paged(c, "list_aliases", "Aliases", "AliasName") if not name.startswith("alias/aws/")],
    }
    if not target.is_local:  # the community emulator has no HTTP API (v2)
        listers["apigatewayv2"] = lambda c: _paged(c, "get_apis", "Items", "ApiId")
    return listers


def take_inventory(target: Target) -> Inventory:
    session = target.session()
    items = set()
    for service, lister in _listers(target).items():
        try:
            items |= {f"{service}:{name}" for name in lister(target.client(service, session))}
        except (BotoCoreError, ClientError) as error:
            raise StepgateError(f"cannot list {service} resources to verify the sandbox: {error}") from error
    return Inventory(frozenset(items))
