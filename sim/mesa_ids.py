"""Let a finished model be freed: Mesa 3.3 keeps every model that made an agent.

Mesa 3.3's ``Agent`` numbers each model's agents from a class-level dict keyed by the model
(``Agent._ids``), so every model that ever made an agent stays in memory for the life of the
process (mesa issue #3179; Mesa's own fix, pull request #3180, numbers agents in the model
instead). A worker of a sweep runs a hundred models one after another: at about 29 MiB a
full-scale model, the 200-run sweep of stop 23 grew a worker to 3.8 GiB.
"""

from __future__ import annotations

import mesa


def forget_agent_numbering(model: mesa.Model) -> None:
    """Drop ``model`` from Mesa's class-level agent numbering, once every one of its agents is
    made (an agent made after this would be numbered from 1 again). A no-op on a Mesa that
    numbers agents in the model."""
    if "_ids" in vars(mesa.Agent):  # Mesa <= 3.3
        mesa.Agent._ids.pop(model, None)
