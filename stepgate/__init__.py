"""stepgate: prove that an API Gateway -> Step Functions deployment is least-privilege, auditable and working."""

__version__ = "0.1.0"
