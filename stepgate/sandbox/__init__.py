"""The local AWS emulator (LocalStack, a host process) and the provider configuration pointed at it."""

from stepgate.sandbox.overrides import SERVICE_ENDPOINTS, render_provider_override
from stepgate.sandbox.process import (
    DEFAULT_REGION,
    Sandbox,
    is_alive,
    is_healthy,
    list_sandboxes,
    localstack_home,
    running_sandbox,
    start_sandbox,
    stop_sandbox,
)

__all__ = [
    "DEFAULT_REGION",
    "SERVICE_ENDPOINTS",
    "Sandbox",
    "is_alive",
    "is_healthy",
    "list_sandboxes",
    "localstack_home",
    "render_provider_override",
    "running_sandbox",
    "start_sandbox",
    "stop_sandbox",
]
