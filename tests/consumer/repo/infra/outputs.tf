output "stepgate" {
  description = "The stepgate module object: stepgate e2e and the pytest fixtures read the deployment from it."
  value       = module.invoices
}
