"""The ops code: package, publish, deploy, release, roll back, drain, smoke-test and rehearse,
through boto3 and osls, from one reader of project.yml (ops.project). Run as `python -m ops`."""
