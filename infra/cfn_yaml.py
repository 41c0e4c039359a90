"""Reads CloudFormation YAML, short tags (!Ref, !Sub, !GetAtt...) included, as plain JSON-like
values, the way `cfn-lint` and CloudFormation see them. PyYAML's safe loader refuses the tags."""

from __future__ import annotations

from pathlib import Path

import yaml


class CloudFormationLoader(yaml.SafeLoader):
    """yaml.SafeLoader that turns `!Tag value` into `{"Fn::Tag": value}` (`{"Ref": value}`)."""


def _tagged(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _tagged)


def load(path: Path):
    return yaml.load(path.read_text(), Loader=CloudFormationLoader)  # noqa: S506 (a SafeLoader)
