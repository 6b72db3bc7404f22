module "api" {
  source = "./modules/api"
  name   = "demo"
}
