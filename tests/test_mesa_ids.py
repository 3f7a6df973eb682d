"""A finished model can be freed (Mesa 3.3 kept every model that made an agent: sim/mesa_ids.py)."""

import gc
import weakref

from tests.conftest import run_model, small_config


def test_a_finished_model_is_freed_once_dropped():
    model = run_model(small_config("days=1"))
    ids = [agent.unique_id for agent in model.agents]
    assert len(ids) == len(set(ids)) > 0, f"expected distinct agent ids, got {sorted(ids)}"
    freed = weakref.ref(model)
    del model
    gc.collect()
    assert freed() is None, (
        "expected nothing to hold the model once dropped (a sweep's worker runs a hundred)"
    )
