"""The pure core: screening profile, region data, routing rules and (later) the engine.

Nothing here does I/O beyond reading its own packaged data files, reads a clock, or
imports a framework or another package of this project.
"""
