"""End-to-end proof on a running system: deploy an example, call its routes, verify executions and audit."""
