"""The plan model: resources with references, IAM statements, ASL requirements, API routes."""

from stepgate.plan.model import Plan, Resource, load_plan, read_plan_json

__all__ = ["Plan", "Resource", "load_plan", "read_plan_json"]
