"""Where a simulation's units run (``--backend``): named here, apart from the machinery (``sim.replicate``), so the
command line can list them without importing the simulation."""

BACKENDS = ("serial", "process", "ray")
