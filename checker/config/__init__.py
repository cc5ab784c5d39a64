"""Loading and validating ``checks.yml``, split by job:

* ``source``: bytes to YAML nodes with positions, typed values out of them;
* ``environment``: ``${VAR}`` interpolation and credentials;
* ``providers`` and ``checks``: the two sections (kind fields come from the registry);
* ``loader``: the whole file to a ``model.Config``;
* ``schema``: the JSON Schema, generated from the same field tables.
"""

from .loader import DEFAULT_CONFIG_NAMES, find_config, load_config, parse_config
from .source import display_path

__all__ = ["DEFAULT_CONFIG_NAMES", "display_path", "find_config", "load_config",
           "parse_config"]
