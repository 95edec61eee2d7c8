from ecombridge.cli.main import app

app()
