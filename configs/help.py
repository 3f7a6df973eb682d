"""``python run.py --help``: the project's own help, through Hydra's help template.

``register()`` stores a ``hydra/help`` option (selected in ``configs/config.yaml``) whose
template explains the project, lists the commands and the config groups, and ends with the
main parameters: every parameter declared in ``sim/params/`` (``sim.declared``) with its
value in the composed config, unit, plausible range and meaning. The list is made when the help
is shown (an OmegaConf resolver), from the declarations, so it cannot drift from the code and
shows the effect of overrides given with ``--help``. The whole config is not dumped:
``--cfg job`` prints it.
"""

from __future__ import annotations

import textwrap

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.declared import Parameter, parameters
from sim.params import ConfigError

HELP_OPTION = "ghouta"
"""The ``hydra/help`` option (``override hydra/help: ghouta`` in ``configs/config.yaml``)."""

_RESOLVER = "declared_parameters_help"

_TEMPLATE = (
    """\
Siege of Eastern Ghouta, 18 Feb - 14 Apr 2018: an agent-based model of who gets out of a
besieged enclave, when, and at what cost. Civilians (every one an agent) fear, shelter, go
hungry and leave; rebel factions hold, fight each other and negotiate evacuations by bus; the
government shells and advances; crossings, buses, screening, shelters, convoys and medical
evacuations are limited. The model is described in docs/ODD.md.

== Commands ==
  python run.py [key=value ...]                one run, into outputs/<scenario>/...
  python run.py -m bus_fleet.buses=25,100 seed='range(5)'   a sweep (parallel), into multirun/
  python run.py -m +experiment=cohesion_sweep  a preset sweep (configs/experiment/)
  python -m experiments.sensitivity experiments/problems/deals_and_logistics.yaml --n 32
                                               Sobol indices of the parameters listed below
  python run.py [key=value ...] --cfg job      print the whole composed config
  python run.py [key=value ...] --help         this help, with those overrides applied
  python run.py --hydra-help                   Hydra's own options

== Configuration groups ==
Choose one option of a group with group=option, e.g. logistics=generous:

$APP_CONFIG_GROUPS
== Main parameters ==
Set any with key=value, e.g. crossings.0.throughput_per_hour=1600. Declared in sim/params/:
the value in this config (scenario, logistics and any overrides given), then the unit, the
plausible range (for sweeps, sensitivity studies, calibration) and the meaning.

"""
    + f"${{{_RESOLVER}:}}\n"
)


def register() -> None:
    """Store the ``hydra/help`` option and the resolver that lists the parameters."""
    if not OmegaConf.has_resolver(_RESOLVER):
        OmegaConf.register_new_resolver(_RESOLVER, _parameters_help)
    node = {"app_name": "run.py", "header": "", "footer": "", "template": _TEMPLATE}
    ConfigStore.instance().store(group="hydra/help", name=HELP_OPTION, node=node)


def _parameters_help(*, _root_: DictConfig) -> str:
    """The main parameters of the composed config ``_root_`` (Hydra's node included)."""
    from configs.schema import config_from_hydra  # schema imports this module

    app = OmegaConf.masked_copy(_root_, [key for key in _root_ if key != "hydra"])
    try:
        config, _output = config_from_hydra(app)
    except (ConfigError, OmegaConfBaseException) as err:
        return f"(cannot list them: the config is invalid: {err})"
    return format_parameters(list(parameters(config))).replace("$", "$$")  # string.Template


def format_parameters(found: list[Parameter], width: int = 96) -> str:
    """Each parameter as ``key = value``; items of a list or mapping sharing a declaration
    (e.g. every faction's cohesion) together, then the unit, range and meaning once."""
    by_declaration: dict[tuple, list[Parameter]] = {}
    for p in found:
        by_declaration.setdefault((p.unit, p.low, p.high, p.meaning), []).append(p)
    lines = []
    for (unit, low, high, meaning), group in by_declaration.items():
        lines += [f"  {p.key} = {p.value}" for p in group]
        about = f"{unit}; plausible {low:g} to {high:g}. {meaning}"
        lines += textwrap.wrap(about, width, initial_indent=" " * 6, subsequent_indent=" " * 6)
    return "\n".join(lines)
