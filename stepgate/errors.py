"""The one error type the front doors turn into a single line and exit code 2."""


class StepgateError(Exception):
    """A user-facing problem (bad input, missing tool, failed tofu run): printed as one line, exit 2."""

    exit_code = 2
