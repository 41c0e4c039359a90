"""The offline rehearsal: the whole delivery chain against a local moto, with the commands a
person runs (`python -m ops rehearse`), and what it needs that AWS would otherwise provide: an
HTTP API stand-in in front of cargo-lambda's emulator, the servers' processes, and the earlier
releases that rollback by release is tried against. Nothing here is run against a real account."""
