"""What a person runs once per AWS account, with that account's administrator credentials, and
never CI: the deploy role cannot create itself. Apart from the commands CI runs, so that the
deploy role's test (every AWS call of ops/ a CI job makes) reads only theirs."""
